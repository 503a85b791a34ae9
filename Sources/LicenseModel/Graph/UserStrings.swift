import MembershipRules

/// The string properties of a user, stored sparsely by rule slot (`StringSlot`), each with its
/// case-folded form so rules compare without folding per evaluation.
///
/// Most users set a handful of the 42 slots, so a short sorted array beats a dictionary or a
/// full array in both memory and speed.
public struct UserStrings: Hashable, Sendable {
    struct Entry: Hashable, Sendable {
        let slot: UInt8
        let value: String
        let folded: String
    }
    private(set) var entries: [Entry] = []

    public init() {}

    /// The names of the string slots, in slot order (what a stored slot number means).
    public static var slotNames: [String] { StringSlot.names }

    @inline(__always)
    public func folded(_ slot: Int) -> String? {
        for entry in entries where Int(entry.slot) == slot { return entry.folded }
        return nil
    }

    public subscript(slot: Int) -> String? {
        get {
            for entry in entries where Int(entry.slot) == slot { return entry.value }
            return nil
        }
        set {
            entries.removeAll { Int($0.slot) == slot }
            // An empty string is null (specs/rules.md §7).
            guard let newValue, !newValue.isEmpty else { return }
            let entry = Entry(slot: UInt8(slot), value: newValue, folded: RuleText.fold(newValue))
            let index = entries.firstIndex { Int($0.slot) > slot } ?? entries.endIndex
            entries.insert(entry, at: index)
        }
    }

    /// The set slots in slot order, with their values.
    public var all: [(slot: Int, value: String)] { entries.map { (Int($0.slot), $0.value) } }
}

/// How each slotted property is spelled in Microsoft Graph's user JSON.
enum GraphUserField {
    /// Slot → Graph property name, for slots stored as top-level string fields. objectId,
    /// userPrincipalName and displayName are stored on the user itself; extension attributes
    /// live in onPremisesExtensionAttributes; telephoneNumber is businessPhones[0].
    static let topLevel: [(slot: Int, name: String)] = {
        let renamed = [
            "facsimileTelephoneNumber": "faxNumber", "mailNickName": "mailNickname", "mobile": "mobilePhone",
            "physicalDeliveryOfficeName": "officeLocation",
        ]
        var fields: [(Int, String)] = []
        for (slot, name) in StringSlot.names.enumerated() where slot > StringSlot.displayName {
            if name.hasPrefix("extensionAttribute") || name == "telephoneNumber" { continue }
            fields.append((slot, renamed[name] ?? name))
        }
        return fields
    }()

    static let telephoneSlot = StringSlot.slot(named: "telephoneNumber")!
    static let extensionSlots: [(slot: Int, name: String)] = (1...15).map {
        (StringSlot.extensionAttribute($0), "extensionAttribute\($0)")
    }
}

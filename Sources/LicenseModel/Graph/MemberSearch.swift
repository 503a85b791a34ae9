/// Finding a member in a group's member list (a million entries at scale) without comparing
/// a million strings.
///
/// Members are stored as the very string of the user's id (`Tenant` appends `users[i].id` and
/// interns loaded lists the same way), so two equal ids usually share storage: comparing the
/// two machine words of the string value finds the member at memory speed. When no entry is
/// identical (an id from elsewhere), a search by value follows, so the answer is always right.
extension Array where Element == String {
    func position(ofMember id: String) -> Int? {
        let needle = StringIdentity(id)
        let identical: Int? = withUnsafeBytes { bytes in
            let stride = MemoryLayout<String>.stride
            for position in 0..<count {
                let offset = position * stride
                if bytes.load(fromByteOffset: offset, as: UInt64.self) == needle.first,
                    bytes.load(fromByteOffset: offset + 8, as: UInt64.self) == needle.second
                {
                    return position
                }
            }
            return nil
        }
        return identical ?? firstIndex(of: id)
    }

    /// The member's position, found by halving when the list is in user order (as full
    /// evaluations and new users leave it: members are appended in user order, and deleting a
    /// user shifts later indices without reordering them); about twenty index look-ups instead
    /// of a scan over every member, which is most of an attribute change at a million users.
    /// Lists that are not in that order (members who joined one by one since, members that
    /// are not users) fall back to the scan, so the answer is always the same.
    func position(ofMember id: String, userAt target: Int, userIndex: [String: Int]) -> Int? {
        positionByHalving(ofMember: id, userAt: target, userIndex: userIndex) ?? position(ofMember: id)
    }

    /// The halving alone: nil when it does not land on the member.
    func positionByHalving(ofMember id: String, userAt target: Int, userIndex: [String: Int]) -> Int? {
        var low = 0
        var high = count
        while low < high {
            let middle = low + (high - low) / 2
            guard let key = userIndex[self[middle]] else { return nil }
            if key == target { return self[middle] == id ? middle : nil }
            if key < target { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Removes one member (ids are unique in a member list). Returns whether it was there.
    @discardableResult
    mutating func removeMember(_ id: String) -> Bool {
        guard let position = position(ofMember: id) else { return false }
        remove(at: position)
        return true
    }

    /// `removeMember(_:)` for the user at `target` of a tenant whose ids `userIndex` maps.
    @discardableResult
    mutating func removeMember(_ id: String, userAt target: Int, userIndex: [String: Int]) -> Bool {
        guard let position = position(ofMember: id, userAt: target, userIndex: userIndex) else { return false }
        remove(at: position)
        return true
    }
}

/// The two machine words of a string value: equal words are the same string (the same storage,
/// or the same small inline text). Different words say nothing: compare by value then.
struct StringIdentity: Hashable {
    let first: UInt64
    let second: UInt64

    init(_ string: String) {
        (first, second) = unsafeBitCast(string, to: (UInt64, UInt64).self)
    }
}

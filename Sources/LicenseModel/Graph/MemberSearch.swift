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

    /// Removes one member (ids are unique in a member list). Returns whether it was there.
    @discardableResult
    mutating func removeMember(_ id: String) -> Bool {
        guard let position = position(ofMember: id) else { return false }
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

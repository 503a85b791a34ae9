/// 64-bit FNV-1a as lower-case hex: a short, stable name for a piece of text or bytes (a cache
/// folder, a record's name, a request body's identity). Not a defence against anyone: the
/// files it names are the admin's or the team's own.
public enum FNVHash {
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    public static func hex(_ text: String) -> String { hex(text.utf8) }
}

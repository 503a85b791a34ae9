import LicenseDeskFuzzing
import TerminalKit
import Testing

/// The fuzzers' properties (Tests/Fuzz) on seeded random input, so every test run checks them.
@Suite("Sanitiser properties")
struct SanitizerPropertyTests {
    @Test("random bytes leave no control or format character, and sanitising twice changes nothing")
    func randomBytes() {
        var state: UInt64 = 0x5EED
        var checked = 0
        let interesting: [UInt8] = [0x1B, 0x9B, 0x07, 0x00, 0x7F, 0x0A, 0x0D, 0xE2, 0x80, 0xAE, 0xC2, 0x85, 0x5B, 0x32, 0x4A]
        for _ in 0..<5000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            let length = Int(state >> 58)
            var bytes: [UInt8] = []
            for index in 0..<length {
                let roll = (state >> UInt64(index % 50)) & 0xFF
                bytes.append(roll % 3 == 0 ? interesting[Int(roll) % interesting.count] : UInt8(truncatingIfNeeded: roll))
            }
            // FuzzChecks traps on a failed property, as the fuzzer needs; the expectations
            // below say the same for the test report.
            FuzzChecks.sanitizer(bytes)
            let inert = TextSanitizer.inert(String(decoding: bytes, as: UTF8.self))
            #expect(!inert.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) })
            #expect(TextSanitizer.inert(inert) == inert)
            checked += 1
        }
        #expect(checked == 5000)
    }
}

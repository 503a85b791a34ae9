import LicenseDeskFuzzing

/// Any text: the sanitiser's output holds no control or format character, and is idempotent.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSanitizer(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    FuzzChecks.sanitizer(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}

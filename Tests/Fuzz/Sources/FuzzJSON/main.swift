import LicenseDeskFuzzing

/// Any bytes as JSON: the syntax locator, the nesting bound and the state decoder answer or
/// refuse, never crash (JSON nested ten thousand deep used to take the stack down).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    FuzzChecks.json(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}

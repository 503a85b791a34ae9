import LicenseDeskFuzzing

/// Any bytes as a journal: read into entries plus at most a torn tail, or a located error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournal(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    FuzzChecks.journal(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}

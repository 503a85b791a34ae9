import LicenseDeskFuzzing

/// Any bytes as a Graph JSON, users CSV, csvde CSV and LDIF import file: problems or a payload,
/// never a crash; a payload read clean with --skip-bad is one the model accepts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImports(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    FuzzChecks.imports(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}

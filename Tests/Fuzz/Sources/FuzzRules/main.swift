import LicenseDeskFuzzing

/// Any bytes: the rule parser gives a tree or diagnostics, never a crash; a tree's canonical
/// text parses to the same tree; evaluation of a parsed rule never crashes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRules(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    FuzzChecks.rule(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}

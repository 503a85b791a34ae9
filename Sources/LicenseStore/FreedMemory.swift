import Foundation

/// Hands memory the process has freed back to the system.
///
/// Parsing a big JSON file frees far more than it keeps (the decoder's working copies, each
/// user's own licence arrays before they are shared), interleaved with what it keeps, on two
/// threads' heaps. glibc keeps such freed pages resident until asked: after a million users'
/// JSON load that is 1.9 GB of a 4.1 GB process, measured. `malloc_trim` returns them. Looked up
/// at run time: it is a glibc extension (not in the C library module), and elsewhere this does
/// nothing.
enum FreedMemory {
    static func giveBack() {
        typealias Trim = @convention(c) (Int) -> Int32
        // RTLD_DEFAULT (a null handle): the symbol wherever it is loaded.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
}

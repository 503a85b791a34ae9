import Foundation
import Synchronization
import TestSupport
import Testing

@testable import LicenseStore

/// The two primitives every save and compaction stands on: a file replaced whole, and the
/// state's lock.
@Suite("Durable files and the state's lock")
struct DurableFileTests {
    @Test("a file handed over in pieces of any size, one far bigger than the flush size among them, is written exactly, with no temp file left")
    func piecesAcrossFlushes() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("big.json")
        let flush = DurableFile.flushEvery
        // Sizes that end before, at and past a flush boundary, and one piece of 2½ flushes.
        let sizes = [1, flush - 2, 1, flush, flush * 5 / 2, 3, flush - 1, 17]
        var expected = Data()
        var pieces: [Data] = []
        for (number, size) in sizes.enumerated() {
            let piece = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ number) })
            pieces.append(piece)
            expected += piece
        }
        try DurableFile.replace(path) { write in for piece in pieces { try write(piece) } }
        #expect(FileManager.default.contents(atPath: path) == expected)
        // A whole Data bigger than a flush, in one piece, from a slice that does not start at 0.
        let slice = expected.dropFirst(5)
        try DurableFile.replace(path, with: slice)
        #expect(FileManager.default.contents(atPath: path) == Data(slice))
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(left == ["big.json"])
    }

    @Test("a writer waits while the lock is held and takes it once it is let go; attempt says busy meanwhile")
    func writerWaitsForTheLock() throws {
        let directory = TemporaryDirectory()
        var holder: DirectoryLock? = try DirectoryLock(directory: directory.path)
        #expect(try DirectoryLock.attempt(directory: directory.path) == nil)
        let taken = Flag()
        let done = DispatchSemaphore(value: 0)
        let path = directory.path
        DispatchQueue.global().async {
            do {
                let lock = try? DirectoryLock(directory: path)
                taken.value.store(lock != nil, ordering: .sequentiallyConsistent)
                withExtendedLifetime(lock) {}
            }  // let go before saying so
            done.signal()
        }
        // Not a timing figure: the waiter has had ample time to take a lock it must not get.
        #expect(done.wait(timeout: .now() + 0.5) == .timedOut, "a writer took the lock while it was held")
        let takenWhileHeld = taken.value.load(ordering: .sequentiallyConsistent)
        #expect(!takenWhileHeld)
        holder = nil
        _ = holder
        #expect(done.wait(timeout: .now() + 30) == .success)
        let takenAfter = taken.value.load(ordering: .sequentiallyConsistent)
        #expect(takenAfter)
        #expect(try DirectoryLock.attempt(directory: directory.path) != nil)
    }
}

/// Whether the waiter got the lock, written on its thread and read on the test's.
private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Which snapshot files are in place, by identity (inode, size, modification time) plus
/// whether a compaction's commit record is there. Files are only ever replaced by rename,
/// never rewritten, so two equal generations around a lock-free read mean every file read was
/// the same file throughout: the read is consistent.
struct SnapshotGeneration: Equatable {
    private var files: [[Int]]
    /// The journal's inode only: appends (other admins' changes) don't make a read
    /// inconsistent, but a compaction replaces the journal by rename.
    private var journal: Int

    init(store: StateStore) {
        let names = StateFileName.all + [StateFileName.compaction] + StateFileName.all.map { $0 + ".next" }
        files = names.map { name in
            var info = stat()
            guard lstat(store.path(name), &info) == 0 else { return [] }
            return [Int(info.st_ino), Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)]
        }
        var info = stat()
        journal = lstat(store.path(StateFileName.journal), &info) == 0 ? Int(info.st_ino) : 0
    }
}

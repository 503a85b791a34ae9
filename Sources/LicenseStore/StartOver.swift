import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// `init --force` and `generate --force`: the tenant that was there, its journal, cache and
/// history are moved aside into `replaced-<time>/` inside the state directory (renames only:
/// nothing is deleted, nothing copied), and the new tenant starts a new journal. Sequence
/// numbers go on from the old state's last, so positions and audit records never repeat.
/// The audit log stays: it records the start-over itself.
struct StartOver {
    let store: StateStore

    /// The folder the old state went to, relative to the directory, and the old last sequence.
    struct MovedAside {
        var folder: String
        var lastSequence: Int
    }

    /// Moves every tenant file aside; caller holds the exclusive lock.
    func moveAside() throws(StateError) -> MovedAside {
        let lastSequence = lastKnownSequence()
        let folder = "replaced-" + Recovery.stamp()
        let destination = store.path(folder)
        guard mkdir(destination, 0o700) == 0 else { throw .io(path: destination, reason: String(cString: strerror(errno))) }
        var parent = stat()
        if stat(store.directory, &parent) == 0 { chmod(destination, parent.st_mode & 0o7777) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []
        let ours = names.filter { name in
            StateFileName.isTenantFile(name) || StateFileName.isLeftover(name) || SnapshotDelta.isStagedDeltaName(name)
                || StateFileName.tenantFiles.contains { name.hasPrefix($0 + ".corrupt-") }
        }
        for name in ours {
            guard rename(store.path(name), destination + "/" + name) == 0 else {
                throw .io(path: store.path(name), reason: "could not move it aside into \(folder): \(String(cString: strerror(errno)))")
            }
        }
        DurableFile.syncDirectory(destination)
        DurableFile.syncDirectory(store.directory)
        return MovedAside(folder: folder, lastSequence: lastSequence)
    }

    /// Puts a moved-aside state back where it was, after writing the new one failed (a full
    /// disk): what the new one left half-written goes first, so nothing of the old is lost and
    /// nothing of the new is taken for it. Best effort: a file that can't be moved back stays in
    /// the folder, which the error names.
    func moveBack(_ moved: MovedAside) {
        let folder = store.path(moved.folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []
        for name in names where StateFileName.isTenantFile(name) || StateFileName.isLeftover(name) {
            if name == JournalHistory.folder { continue }
            unlink(store.path(name))
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            rename(folder + "/" + name, store.path(name))
        }
        rmdir(folder)
        DurableFile.syncDirectory(store.directory)
    }

    /// The highest sequence the old state reached, read as far as it can be: a damaged state
    /// is exactly when this runs, so nothing here may throw.
    private func lastKnownSequence() -> Int {
        var last = 0
        if let data = try? DurableFile.read(store.path(StateFileName.desk)),
            let desk = try? StateJSON.decoder().decode(DeskSequence.self, from: data)
        {
            last = desk.journalSequence ?? 0
        }
        if let data = try? DurableFile.read(store.path(StateFileName.journal)) {
            for line in data.split(separator: 0x0A) {
                if let entry = try? StateJSON.decoder().decode(DeskSequence.Entry.self, from: line) { last = max(last, entry.sequence) }
            }
        }
        if let audit = try? store.audit() { last = max(last, audit.last?.sequence ?? 0) }
        return last
    }

    private struct DeskSequence: Decodable {
        var journalSequence: Int?
        struct Entry: Decodable { var sequence: Int }
    }
}

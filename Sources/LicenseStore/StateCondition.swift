import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a state directory holds, told from the names in it alone (nothing is read).
public enum StateCondition: Equatable, Sendable {
    /// No directory, or one with no file of a tenant in it: `init` may create one.
    case new(otherFiles: [String])
    /// Every snapshot file is there (whether each reads is the load's business).
    case complete
    /// Some of a tenant's files but not all: never taken for a new state.
    case damaged(missing: [String], present: [String])

    /// Whether it is safe to seed the demo tenant without being asked: absent or empty.
    public var isEmpty: Bool { self == .new(otherFiles: []) }
}

extension StateFileName {
    /// Files and folders that only a tenant's state has: one of them makes the directory a state.
    static let tenantFiles = all + [journal, compaction, cache, JournalHistory.folder]

    /// One of `tenantFiles`, or a snapshot's delta file (`SnapshotDelta`).
    static func isTenantFile(_ name: String) -> Bool { tenantFiles.contains(name) || SnapshotDelta.isDeltaName(name) }
    /// Files that may be there before any tenant: the lock a reader made, a roles file prepared
    /// ahead of `init`.
    static let preparatory: Set<String> = [lock, roles, LockHolder.fileName, compactionLock, compactionStarted]

    /// A file only LicenseDesk writes while replacing one of its own: `<name>.next` (a
    /// compaction's new file) or `<name>.tmp.<pid>.<random>` (a replacement in progress).
    /// Recovery removes these and nothing else.
    static func isLeftover(_ name: String) -> Bool {
        // `.next` only for the snapshot files a compaction writes; temp files only for the
        // files LicenseDesk replaces (never roles.json, which admins write, nor the audit
        // log, which is only appended to). Pids and random numbers are ASCII digits.
        let replaced = all + all.map { $0 + ".next" } + [journal, compaction, cache, LockHolder.fileName, compactionFailed]
        if all.contains(where: { name == $0 + ".next" }) { return true }
        for owner in replaced where name.hasPrefix(owner + ".tmp.") {
            let parts = name.dropFirst(owner.count + 5).split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }) { return true }
        }
        return false
    }
}

extension StateStore {
    /// What the directory holds, from `lstat` of each name: a link in a file's place counts
    /// as present (the load then refuses it by name) rather than as missing.
    public var condition: StateCondition {
        var info = stat()
        guard lstat(directory, &info) == 0 else { return .new(otherFiles: []) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let present =
            StateFileName.tenantFiles.filter { DurableFile.isPresent(path($0)) } + names.filter(SnapshotDelta.isDeltaName).sorted()
        if present.isEmpty {
            // What a first `init` cut short by a crash leaves (`.next` and temp files of ours)
            // is cleaned by the next one; anything else is someone else's.
            let others = names.filter {
                !StateFileName.preparatory.contains($0) && !StateFileName.isLeftover($0) && !StateFileName.isStaged($0)
            }
            return .new(otherFiles: others.sorted())
        }
        // A file whose `.next` is there, with a compaction's commit record, is being rolled
        // into place (recovery finishes it): not missing. Anything else missing is damage.
        let rolling = present.contains(StateFileName.compaction)
        let missing = StateFileName.all.filter { name in
            !DurableFile.isPresent(path(name)) && !(rolling && DurableFile.isPresent(path(name) + ".next"))
        }
        if !missing.isEmpty { return .damaged(missing: missing, present: present) }
        return .complete
    }

    /// Throws unless the directory holds a whole tenant: a damaged one is named as such, a new
    /// one says how to create a tenant.
    func requireTenant() throws(StateError) {
        switch condition {
        case .complete: return
        case .damaged(let missing, let present): throw .damaged(directory: directory, missing: missing, present: present)
        case .new:
            throw .io(path: directory, reason: "no tenant here; run `licensedesk init --state \(directory)` to create one")
        }
    }
}

/// One name of a state directory as `doctor` reports it.
public struct StateFileStatus: Sendable, Equatable {
    public var name: String
    /// "ok", "missing", or why the file would be refused.
    public var status: String
    public var isProblem: Bool
}

extension StateStore {
    /// Every snapshot file and what is wrong with it, then the copies and folders kept aside:
    /// what `doctor` shows for a state that does not load.
    public func inventory() -> [StateFileStatus] {
        var rows: [StateFileStatus] = []
        let deltas = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter(SnapshotDelta.isDeltaName).sorted {
            (SnapshotDelta.sequence(ofFile: $0) ?? 0, $0) < (SnapshotDelta.sequence(ofFile: $1) ?? 0, $1)
        }
        for name in StateFileName.all + deltas + [StateFileName.journal, StateFileName.audit, StateFileName.roles] {
            let file = path(name)
            var info = stat()
            guard lstat(file, &info) == 0 else {
                let optional = !StateFileName.all.contains(name)
                rows.append(StateFileStatus(name: name, status: optional ? "absent (optional)" : "missing", isProblem: !optional))
                continue
            }
            do {
                if info.st_mode & S_IFMT == S_IFLNK {
                    throw StateError.refusedFile(path: file, reason: "is a symbolic link")
                }
                try StateFilePolicy.check(info, path: file)
                rows.append(StateFileStatus(name: name, status: "ok (\(info.st_size) bytes)", isProblem: false))
            } catch let error as StateError {
                let reason: String
                if case .refusedFile(_, let text) = error { reason = text } else { reason = error.description }
                rows.append(StateFileStatus(name: name, status: "refused: \(reason)", isProblem: true))
            } catch {}
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in names where name.contains(".corrupt-") || name.hasPrefix("replaced-") {
            rows.append(StateFileStatus(name: name, status: "kept aside (a damaged file's contents, or a replaced state)", isProblem: false))
        }
        return rows
    }
}

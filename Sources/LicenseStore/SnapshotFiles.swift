import Foundation
import LicenseModel

#if canImport(Glibc)
    import Glibc
#endif

/// The snapshot: the Graph-shaped files, read together and replaced together.
///
/// Replacing five files is not atomic, so a compaction writes each as `<name>.next`, then
/// records `compaction.json` (the commit point), then renames them into place and empties the
/// journal. A crash before the record leaves only `.next` files (deleted at the next start);
/// a crash after it is rolled forward (`Recovery`).
struct SnapshotFiles {
    let store: StateStore

    func read() throws(StateError) -> (Tenant, DeskFile) {
        let organizations: GraphListFile<Organization> = try decode(StateFileName.organization)
        guard let organization = organizations.value.first else {
            throw .unreadable(file: store.path(StateFileName.organization), line: nil, column: nil, reason: "value holds no organization")
        }
        let skus: GraphListFile<SubscribedSku> = try decode(StateFileName.subscribedSkus)
        // The desk file says which deltas go over the base lists.
        let desk: DeskFile = try decode(StateFileName.desk)
        var users: GraphListFile<User>
        var groups: GraphListFile<Group>
        var memberUsers: [[Int]]?
        var parsedJSON = false
        // The cache made from exactly these users and groups files, else the files themselves.
        // Never while a compaction is being rolled forward: the snapshot is then its `.next`
        // files, which no cache describes.
        if store.readsCache, !isRollingForward, let cached = SnapshotCache(store: store).read() {
            users = GraphListFile(cached.users)
            users.extra = cached.usersExtra
            groups = GraphListFile(cached.groups)
            groups.extra = cached.groupsExtra
            memberUsers = cached.memberUsers
        } else {
            parsedJSON = true
            let sharing = LicenceArraySharing()
            users = try decodeList(StateFileName.users, settle: { sharing.share(&$0) }, reader: Self.userReader)
            groups = try decodeList(StateFileName.groups, reader: Self.groupReader)
        }
        try apply(try desk.checkedDeltas(file: readPath(StateFileName.desk)), users: &users.value, groups: &groups.value, memberUsers: &memberUsers)
        var tenant = Tenant(
            organization: organization, subscribedSkus: skus.value, users: users.value, groups: groups.value,
            pending: desk.pending, settings: desk.settings, onPremises: desk.onPremises,
            automation: desk.reconciliation ?? LicenceAutomation(), memberUsers: memberUsers)
        let duplicates = tenant.duplicateIDs
        for (name, ids) in [(StateFileName.users, duplicates.users), (StateFileName.groups, duplicates.groups)] where !ids.isEmpty {
            throw .unreadable(
                file: store.path(name), line: nil, column: nil,
                reason: "id \(ids[0]) is held by more than one record\(ids.count > 1 ? " (and \(ids.count - 1) more)" : ""); "
                    + "an edit would land on the wrong one: remove the copy")
        }
        tenant.fileExtras = FileExtras(
            organization: organizations.extra, subscribedSkus: skus.extra, users: users.extra, groups: groups.extra)
        if parsedJSON { FreedMemory.giveBack() }  // parsing freed far more than it kept
        return (tenant, desk)
    }

    func readDesk() throws(StateError) -> DeskFile { try decode(StateFileName.desk) }

    /// Where the snapshot stands (`DeskPosition`), decoding the desk file only when it is not
    /// the one `known` was read from: it holds every object's version and grows with the
    /// tenant's history, and every refresh and save asks.
    func readDeskPosition(known: DeskPosition?) throws(StateError) -> DeskPosition {
        let path = readPath(StateFileName.desk)
        let before = SnapshotCache.FileIdentity(path: path)
        if let known, let before, known.identity == before { return known }
        // The fields come first in the file LicenseDesk writes (sorted keys), before the
        // versions that make it big: read from its head; anything else is decoded whole.
        var position: DeskPosition
        if let head = try DurableFile.readHead(path, bytes: 4_096), let parsed = DeskPosition(head: head) {
            position = parsed
        } else {
            let desk = try readDesk()
            position = DeskPosition(
                journalSequence: desk.journalSequence, lineage: desk.lineage, journalCut: desk.journalCut, journalCutFrom: desk.journalCutFrom)
        }
        // Kept for next time only if the file held still while it was read.
        if SnapshotCache.FileIdentity(path: path) == before { position.identity = before }
        return position
    }

    /// A big list file on every core (`ParallelListDecoding`), else the ordinary way. The file
    /// is mapped, not read: its pages are the page cache's, dropped under memory pressure,
    /// instead of a second copy of gigabytes in the process.
    /// Where a snapshot file is read from: its `.next` file while a compaction that reached
    /// its commit point is not yet rolled into place (a reader recovers it in memory; the next
    /// writer does it on disk), else the file itself.
    func readPath(_ name: String) -> String {
        let next = store.path(name) + ".next"
        if DurableFile.isPresent(next), isRollingForward { return next }
        return store.path(name)
    }

    /// A genuine compaction record is there (`CompactionMarker.isGenuine`): its `.next` files
    /// are the snapshot. A stray or forged one is not, and the files in place are read.
    var isRollingForward: Bool {
        let path = store.path(StateFileName.compaction)
        guard DurableFile.isPresent(path), let data = try? DurableFile.read(path),
            let marker = try? StateJSON.decoder().decode(CompactionMarker.self, from: data)
        else { return false }
        return marker.isGenuine(in: store)
    }

    private func decodeList<Element: Decodable & Sendable>(
        _ name: String, settle: (@Sendable (inout [Element]) -> Void)? = nil,
        reader: ListReader<Element>? = nil
    ) throws(StateError) -> GraphListFile<Element> {
        try decodeList(at: readPath(name), settle: settle, reader: reader)
    }

    /// Users read straight from the bytes (`UserBytesReading`), times read as the decoder does.
    static let userReader = ListReader<User>(
        ranges: { bytes, ranges in
            var reading = UserBytesReading(date: ISO8601Instant.parse)
            return reading.users(in: bytes, at: ranges)
        },
        run: { bytes, start, end in
            var reading = UserBytesReading(date: ISO8601Instant.parse)
            return reading.users(in: bytes, from: start, before: end)
        })

    /// Groups read straight from the bytes (`GroupBytesReading`).
    static let groupReader = ListReader<Group>(
        ranges: { GroupBytesReading(date: ISO8601Instant.parse).groups(in: $0, at: $1) },
        run: { GroupBytesReading(date: ISO8601Instant.parse).groups(in: $0, from: $1, before: $2) })

    func decodeList<Element: Decodable & Sendable>(
        at file: String, settle: (@Sendable (inout [Element]) -> Void)? = nil,
        reader: ListReader<Element>? = nil
    ) throws(StateError) -> GraphListFile<Element> {
        if let data = try DurableFile.read(file, mapped: true),
            let list = ParallelListDecoding.decode(data, as: Element.self, settle: settle, reader: reader)
        {
            if list.formatVersion > newestReadableFormatVersion { throw .unsupportedVersion(file: file, found: list.formatVersion) }
            return list
        }
        return try decode(at: file)
    }

    private func decode<T: Decodable>(_ name: String) throws(StateError) -> T { try decode(at: readPath(name)) }

    private func decode<T: Decodable>(at file: String) throws(StateError) -> T {
        guard let data = try DurableFile.read(file) else {
            throw .io(path: file, reason: "missing; run `licensedesk init` to create a tenant here")
        }
        // The version is checked on what was decoded; only a file that does not decode is
        // probed for it (a second full parse, which a big file should not pay every load).
        let value: T
        do { value = try StateJSON.decoder().decode(T.self, from: data) } catch {
            if let version = Self.formatVersion(in: data), version > newestReadableFormatVersion {
                throw .unsupportedVersion(file: file, found: version)
            }
            let located = DecodingErrorLocator.locate(error, in: data, file: file)
            throw Recovery(store: store).setAside(file, because: located)
        }
        if let versioned = value as? any VersionedStateFile, versioned.formatVersion > newestReadableFormatVersion {
            throw .unsupportedVersion(file: file, found: versioned.formatVersion)
        }
        return value
    }

    private static func formatVersion(in data: Data) -> Int? {
        struct Probe: Decodable { var formatVersion: Int? }
        return (try? StateJSON.decoder().decode(Probe.self, from: data))?.formatVersion
    }

    /// Writes the state as the new snapshot and empties the journal, all under the lock the
    /// caller holds: what `init` does with a new tenant. A compaction stages its files off the
    /// lock instead (`Compactor`) and holds the lock only for `switchTo`.
    func compact(_ state: LoadedState) throws(StateError) {
        try store.createDirectory(access: .shared)
        try switchTo(try stage(state, suffix: ".next"))
        let extras = state.tenant.fileExtras
        SnapshotCache(store: store).write(
            users: state.tenant.users, groups: state.tenant.groups, usersExtra: extras.users, groupsExtra: extras.groups)
    }

    /// Big lists are encoded in chunks on every core and streamed to disk (`ChunkedListEncoding`).
    func writeList<T: Codable & Sendable>(
        _ file: GraphListFile<T>, _ extra: [String: JSONValue], to path: String, chunkSize: Int = ChunkedListEncoding.chunkSize
    ) throws(StateError) {
        var file = file
        file.extra = extra
        try DurableFile.replace(path, mode: store.fileMode) { write in
            try ChunkedListEncoding.encode(file, chunkSize: chunkSize, into: write)
        }
    }

    func encode<T: Encodable>(_ value: T) throws(StateError) -> Data {
        do { return try StateJSON.encode(value) } catch { throw .io(path: store.directory, reason: "could not encode: \(error)") }
    }
}

/// The commit record of a compaction.
struct CompactionMarker: Codable {
    enum CodingKeys: String, CodingKey {
        case sequence = "sequence", journalCut = "journalCut", historyKept = "historyKept", historyFirst = "historyFirst"
    }
    var sequence: Int
    /// Where in the journal the entries after `sequence` begin: the roll-forward keeps the
    /// bytes from there as they are, without reading every entry (absent: it reads them).
    var journalCut: Int?
    /// The entries folded in, `historyFirst` through `sequence`, were staged as `history.staged`
    /// and go into `history/` in the roll-forward, after this record exists (never before: a
    /// compaction that fails would leave history overlapping the next one's).
    var historyKept: Bool?
    var historyFirst: Int?
}

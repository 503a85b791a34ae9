import Foundation
import LicenseModel

/// `licensedesk pull`: a live tenant read over Graph v1.0 into Graph list responses that
/// `import graph` takes — the organization, the subscribed SKUs, every user with every property
/// the model reads (by explicit `$select`), every group with its rule and licences, and each
/// group's members page by page. Resumable: see `PullWorkspace`.
public final class TenantPull: @unchecked Sendable {
    let connection: GraphConnection
    var workspace: PullWorkspace
    var progress: PullWorkspace.Progress
    let started = Date()
    /// Told after each page.
    public var report: @Sendable (PullReport) -> Void = { _ in }
    private var totalUsers: Int?

    /// What a pull has done so far, for the progress line and the summary.
    public struct PullReport: Sendable {
        public var phase: String
        public var objects: Int
        public var expected: Int?
        public var elapsed: Double
        public var resumed: Bool
        public var note: String?
    }

    static let groupProperties = [
        "id", "displayName", "description", "groupTypes", "securityEnabled", "mailEnabled", "mailNickname", "membershipRule",
        "membershipRuleProcessingState", "assignedLicenses", "licenseProcessingState",
    ]

    /// `workspace`: where pages are kept (default: the admin's cache, keyed by URL and state).
    public init(connection: GraphConnection, workspace directory: URL, protecting: [String] = []) throws(GraphClientError) {
        self.connection = connection
        workspace = try PullWorkspace(directory: directory, protecting: protecting)
        progress = workspace.loadProgress(graphURL: connection.base)
    }

    public var isResuming: Bool { !progress.steps.isEmpty }
    public var folder: URL { workspace.directory }

    /// Reads what is not read yet; returns the folder to import.
    public func run() async throws(GraphClientError) -> URL {
        var resumed = isResuming
        let resumedAtStart = resumed
        connection.onRetry = { [weak self] note in self?.tell("retry", note: note, resumed: resumedAtStart) }
        // The tenant behind the URL and token now: pages kept from another one are let go.
        let organization = try await connection.getJSON("/organization")
        let tenantID = ((organization["value"] as? [[String: Any]])?.first?["id"] as? String)?.lowercased()
        if resumed, progress.organizationID != tenantID {
            workspace.remove()
            workspace = try PullWorkspace(directory: workspace.directory)
            progress = PullWorkspace.Progress(graphURL: connection.base)
            resumed = false
            tell("restart", note: "the pages kept were another tenant's; starting again", resumed: false)
        }
        progress.organizationID = tenantID
        try workspace.writeJSON(organization, to: workspace.importFolder.appendingPathComponent("organization.json"))
        progress.steps["organization"] = PullWorkspace.Step(next: nil, pages: 1, objects: 1, done: true)
        try workspace.save(progress)
        try await single("subscribedSkus", "/subscribedSkus")
        let users = "/users?$select=\(User.graphPropertyNames.joined(separator: ","))&$top=999&$count=true"
        try await pages("users", first: users, headers: [("ConsistencyLevel", "eventual")], into: workspace.importFolder, resumed: resumed)
        try await pages(
            "groups", first: "/groups?$select=\(Self.groupProperties.joined(separator: ","))&$top=999", headers: [],
            into: workspace.directory.appendingPathComponent("groups"), resumed: resumed)
        for group in groups() where !progress.membersDone.contains(group) {
            try await members(of: group, resumed: resumed)
        }
        try writeGroups()
        return workspace.importFolder
    }

    /// Objects read so far (users, groups and memberships).
    public var objects: Int { progress.steps.values.reduce(0) { $0 + $1.objects } }
    /// Members that are not users (nested groups, devices, service principals) by type, left
    /// out: the model's groups hold users.
    public private(set) var leftOut: [String: Int] = [:]

    private func tell(_ phase: String, note: String? = nil, resumed: Bool) {
        report(
            PullReport(
                phase: phase, objects: objects, expected: totalUsers.map { $0 + (progress.steps["groups"]?.objects ?? 0) },
                elapsed: Date().timeIntervalSince(started), resumed: resumed, note: note))
    }

    private func single(_ name: String, _ path: String) async throws(GraphClientError) {
        guard progress.steps[name]?.done != true else { return }
        let answer = try await connection.getJSON(path)
        try workspace.writeJSON(answer, to: workspace.importFolder.appendingPathComponent("\(name).json"))
        progress.steps[name] = PullWorkspace.Step(next: nil, pages: 1, objects: (answer["value"] as? [Any])?.count ?? 1, done: true)
        try workspace.save(progress)
    }

    /// Every page of a collection, each saved as it comes, from where the last run stopped.
    private func pages(_ name: String, first: String, headers: [(String, String)], into folder: URL, resumed: Bool) async throws(GraphClientError) {
        var step = progress.steps[name] ?? PullWorkspace.Step(next: first)
        var seen: Set<String> = []
        while !step.done, let next = step.next {
            // A next link seen before would go round for ever.
            guard seen.insert(next).inserted else { throw .malformed(url: next, reason: "the tenant's @odata.nextLink leads back to a page already read") }
            let (data, page) = try await connection.getPage(next, headers: headers)
            if name == "users", let count = page.count { totalUsers = count }
            try workspace.write(data, to: folder.appendingPathComponent(String(format: "\(name)-%05d.json", step.pages + 1)))
            step.pages += 1
            step.objects += page.value.count
            step.next = page.nextLink
            step.done = step.next == nil
            progress.steps[name] = step
            try workspace.save(progress)
            tell(name, resumed: resumed)
        }
    }

    /// Every group read, in page order, as Graph sent it.
    private func groupRecords() -> [[String: Any]] {
        let folder = workspace.directory.appendingPathComponent("groups")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return files.flatMap { (workspace.readJSON(folder.appendingPathComponent($0))?["value"] as? [[String: Any]]) ?? [] }
    }

    /// The ids of the groups read, in page order.
    private func groups() -> [String] { groupRecords().compactMap { $0["id"] as? String } }

    /// A group's members, all pages, kept only once complete: users only (the model's groups
    /// hold users; nested groups and devices are left out).
    private func members(of group: String, resumed: Bool) async throws(GraphClientError) {
        var next: String? = "/groups/\(Self.segment(group))/members?$select=id&$top=999"
        var ids: [[String: Any]] = []
        var seen: Set<String> = []
        while let url = next {
            guard seen.insert(url).inserted else { throw .malformed(url: url, reason: "the tenant's @odata.nextLink leads back to a page already read") }
            let page = try await connection.getPage(url).page
            for member in page.value {
                guard (member.type?.lowercased() ?? "#microsoft.graph.user") == "#microsoft.graph.user" else {
                    leftOut[member.type ?? "?", default: 0] += 1
                    continue
                }
                if let id = member.id { ids.append(["id": id]) }
            }
            next = page.nextLink
        }
        try workspace.writeJSON(["value": ids], to: workspace.directory.appendingPathComponent("members/\(Self.segment(group)).json"))
        progress.membersDone.insert(group)
        var step = progress.steps["members"] ?? PullWorkspace.Step()
        step.objects += ids.count
        progress.steps["members"] = step
        try workspace.save(progress)
        tell("members", resumed: resumed)
    }

    /// One groups list with each group's members in it, as `import graph` reads groups.
    private func writeGroups() throws(GraphClientError) {
        let all: [[String: Any]] = groupRecords().compactMap { record in
            guard let id = record["id"] as? String else { return nil }
            var group = record
            group["members"] = workspace.readJSON(workspace.directory.appendingPathComponent("members/\(Self.segment(id)).json"))?["value"] ?? []
            return group
        }
        try workspace.writeJSON(
            ["@odata.context": "\(connection.base)/$metadata#groups", "value": all], to: workspace.importFolder.appendingPathComponent("groups.json"))
    }

    public func remove() { workspace.remove() }

    /// A group id as one path segment (an id from the tenant is data, never a path).
    static func segment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? id
    }
}

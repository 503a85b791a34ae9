import Foundation
import LicenseModel
import LicenseStore

/// Writes the tenant as Graph list responses, one file per collection, as Graph Explorer would
/// save them: `users.json`, `groups.json` (members expanded), `subscribedSkus.json`,
/// `organization.json`. `licensedesk import graph` reads them back.
public enum GraphExport {
    public static let files: [(name: String, kind: GraphImport.Kind)] = [
        ("organization.json", .organization), ("subscribedSkus.json", .subscribedSkus), ("users.json", .users),
        ("groups.json", .groups),
    ]

    struct ListResponse<Element: Encodable>: Encodable {
        let context: String
        let value: [Element]
        enum CodingKeys: String, CodingKey { case context = "@odata.context", value }
    }

    static func context(_ kind: GraphImport.Kind) -> String { "https://graph.microsoft.com/v1.0/$metadata#\(kind.rawValue)" }

    /// Writes the four files into `directory` (made if missing); returns their paths.
    @discardableResult
    public static func write(_ tenant: Tenant, to directory: String) throws(ImportProblem) -> [String] {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ImportProblem(file: directory, reason: "can't be made: \(error.localizedDescription)")
        }
        var written: [String] = []
        for (name, kind) in files {
            let path = (directory as NSString).appendingPathComponent(name)
            let data: Data
            do {
                switch kind {
                case .organization: data = try StateJSON.encode(ListResponse(context: context(kind), value: [tenant.organization]))
                case .subscribedSkus: data = try StateJSON.encode(ListResponse(context: context(kind), value: tenant.subscribedSkus))
                case .users: data = try StateJSON.encode(ListResponse(context: context(kind), value: tenant.users))
                case .groups: data = try StateJSON.encode(ListResponse(context: context(kind), value: tenant.groups))
                }
                try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ImportProblem(file: path, reason: "can't be written: \(error.localizedDescription)")
            }
            written.append(path)
        }
        return written
    }
}

import Foundation
import LicenseModel
import LicenseStore

/// Reads Microsoft Graph list responses (`{"@odata.context": …, "value": [...]}`) as saved from
/// Graph Explorer or `Invoke-MgGraphRequest`: `/users`, `/groups` (with `members` expanded),
/// `/subscribedSkus` and `/organization`, a page per file (`@odata.nextLink` pages spread over
/// several files). Each file's kind comes from its `@odata.context`, else from its records' fields.
public enum GraphImport {
    public enum Kind: String, CaseIterable, Sendable {
        case users, groups, subscribedSkus, organization
    }

    /// Reads `paths` (files, or folders of `.json` files) against `tenant`. With `skipBad`, bad
    /// records are left out (and reported); otherwise they are only reported.
    /// `asGraphSent`: the files are Graph's own answers, as `pull` saves them, so the other
    /// shapes (`GraphShapes`) are not looked for — a 100,000-user pull is parsed once, not twice.
    public static func read(_ paths: [String], against tenant: Tenant, skipBad: Bool, asGraphSent: Bool = false) -> ImportOutcome<DirectoryImport> {
        var reader = GraphImportReader(tenant: tenant, skipBad: skipBad)
        reader.lookForShapes = !asGraphSent
        for file in expand(paths, extensions: ["json"], problems: &reader.problems) { reader.read(file) }
        reader.checkReferences()
        return ImportOutcome(payload: reader.batch, problems: reader.problems, notes: reader.notes)
    }

    /// Files as given, and the matching files of folders, sorted (so pages keep their order).
    static func expand(_ paths: [String], extensions: Set<String>, problems: inout [ImportProblem]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(ImportProblem(file: path, reason: "no such file or folder"))
                continue
            }
            if isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                let matching = names.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                if matching.isEmpty { problems.append(ImportProblem(file: path, reason: "has no .\(extensions.sorted().joined(separator: "/.")) files")) }
                files += matching.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }
}

/// A file's envelope and the field names of its records, read before the records themselves.
struct Envelope: Decodable {
    var context: String?
    var nextLink: String?
    var recordKeys: [Set<String>]?

    enum Keys: String, CodingKey {
        case context = "@odata.context", nextLink = "@odata.nextLink", value
    }
    struct KeyProbe: Decodable {
        var keys: Set<String>
        init(from decoder: any Decoder) throws {
            keys = Set((try? decoder.container(keyedBy: GraphKey.self).allKeys.map(\.stringValue)) ?? [])
        }
    }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        context = try c.decodeIfPresent(String.self, forKey: .context)
        nextLink = try c.decodeIfPresent(String.self, forKey: .nextLink)
        recordKeys = try c.decodeIfPresent([KeyProbe].self, forKey: .value)?.map(\.keys)
    }
}

/// One record decoded on its own, so a bad record is reported and the rest still read.
struct RecordSlot<T: Decodable>: Decodable {
    var result: Result<T, any Error>
    var label: String?
    /// The record's id and the names it carries, for partial records (a `$select`).
    var id: String?
    var keys: Set<String> = []

    init(from decoder: any Decoder) throws {
        // Whichever naming field reads as text: a record is bad because some field is not.
        let fields = try? decoder.container(keyedBy: GraphKey.self)
        id = try? fields?.decodeIfPresent(String.self, forKey: GraphKey("id"))
        keys = Set(fields?.allKeys.map(\.stringValue) ?? [])
        label =
            ["userPrincipalName", "displayName", "skuPartNumber", "id"].lazy
            .compactMap { try? fields?.decodeIfPresent(String.self, forKey: GraphKey($0)) }.first
        do { result = .success(try T(from: decoder)) } catch { result = .failure(error) }
    }
}

struct RecordList<T: Decodable>: Decodable {
    var value: [RecordSlot<T>]
}

/// A file's records as plain JSON, for putting a partial record over the object it changes.
struct RawList: Decodable {
    var value: [JSONValue]
}

import Foundation

/// What a sync cycle did.
public struct SyncReport: Codable, Hashable, Sendable {
    public var created: [String] = []
    public var updated: [String] = []
    public var deleted: [String] = []
    public var skipped: [String] = []
}

extension Tenant {
    mutating func addOnPremisesUser(_ user: OnPremisesUser) throws(ModelError) {
        guard onPremises.user(sam: user.samAccountName) == nil else {
            throw .invalidInput("sAMAccountName \(user.samAccountName) already exists on-premises")
        }
        try Self.checkADAttributes(user.attributes.keys)
        onPremises.users.append(user)
        markChanged(user.samAccountName)
    }

    mutating func setOnPremisesUser(_ sam: String, values: [String: String?]) throws(ModelError) {
        guard let index = onPremises.users.firstIndex(where: { $0.samAccountName.lowercased() == sam.lowercased() }) else {
            throw .invalidInput("no on-premises user has the sAMAccountName \(sam)")
        }
        try Self.checkADAttributes(values.keys)
        for (name, value) in values {
            if name == "enabled" {
                onPremises.users[index].enabled = (value ?? "true").lowercased() != "false"
            } else {
                onPremises.users[index].attributes[name] = (value?.isEmpty ?? true) ? nil : value
            }
        }
        markChanged(onPremises.users[index].samAccountName)
    }

    /// Adds users, or replaces those with the same sAMAccountName (an export is the whole object).
    mutating func importOnPremises(_ imported: [OnPremisesUser]) throws(ModelError) -> (added: Int, replaced: Int) {
        for user in imported { try Self.checkADAttributes(user.attributes.keys) }
        var position = Dictionary(onPremises.users.enumerated().map { ($0.element.samAccountName.lowercased(), $0.offset) }) { a, _ in a }
        var added = 0
        for user in imported {
            if let index = position[user.samAccountName.lowercased()] {
                onPremises.users[index] = user
            } else {
                position[user.samAccountName.lowercased()] = onPremises.users.count
                onPremises.users.append(user)
                added += 1
            }
            markChanged(user.samAccountName)
        }
        return (added, imported.count - added)
    }

    mutating func removeOnPremisesUser(_ sam: String) throws(ModelError) {
        guard let index = onPremises.users.firstIndex(where: { $0.samAccountName.lowercased() == sam.lowercased() }) else {
            throw .invalidInput("no on-premises user has the sAMAccountName \(sam)")
        }
        let user = onPremises.users.remove(at: index)
        markChanged(user.samAccountName)
    }

    mutating func configureSync(include: [String], exclude: [String], scopes: [String]?) throws(ModelError) {
        try Self.checkADAttributes(include + exclude)
        for name in include { onPremises.configuration.excludedAttributes.remove(name) }
        for name in exclude { onPremises.configuration.excludedAttributes.insert(name) }
        if let scopes { onPremises.configuration.scopes = scopes }
    }

    private mutating func markChanged(_ sam: String) {
        if !onPremises.changed.contains(sam) { onPremises.changed.append(sam) }
    }

    static func checkADAttributes<S: Sequence>(_ names: S) throws(ModelError) where S.Element == String {
        for name in names where !SyncMapping.adNames.contains(name) {
            throw .invalidInput(
                "\(name) is not an AD attribute LicenseDesk syncs; use one of " + SyncMapping.adNames.sorted().joined(separator: ", "))
        }
    }

    /// One sync cycle: creates, updates and deletes cloud users to match the on-premises users
    /// in scope. A delta cycle looks only at objects changed since the last one.
    mutating func runSync(full: Bool, now: Date) -> SyncReport {
        var report = SyncReport()
        let configuration = onPremises.configuration
        var candidates = onPremises.changed
        if full {
            // A full cycle also looks at every synced cloud user, so deletions are never missed.
            candidates += onPremises.users.map(\.samAccountName) + users.compactMap(\.onPremisesSamAccountName)
        }
        var seen: Set<String> = []
        for sam in candidates where seen.insert(sam.lowercased()).inserted {
            let source = onPremises.user(sam: sam)
            let linked = users.first { $0.onPremisesSamAccountName?.lowercased() == sam.lowercased() && $0.onPremisesImmutableId != nil }
            guard let source, configuration.inScope(source) else {
                // Gone from AD or out of scope: the cloud user is deleted.
                if let linked, (try? removeUser(linked.id)) != nil { report.deleted.append(linked.userPrincipalName) }
                continue
            }
            var values: [String: String?] = [:]
            for (ad, cloud) in SyncMapping.attributes where configuration.syncs(ad) {
                values[cloud] = source.attributes[ad]
            }
            if configuration.syncs("c"), source.attributes["usageLocation"] == nil, let country = source.attributes["c"] {
                values["usageLocation"] = country
            }
            values["accountEnabled"] = source.enabled ? "true" : "false"
            if let linked {
                do {
                    if try update(linked.id, with: values) { report.updated.append(linked.userPrincipalName) }
                } catch {
                    report.skipped.append("\(sam): \(error)")
                }
            } else {
                let upn =
                    source.attributes["userPrincipalName"]
                    ?? "\(source.samAccountName)@\(organization.displayName.lowercased().replacingOccurrences(of: " ", with: "")).onmicrosoft.com"
                var attributes: [String: String] = [:]
                for (name, value) in values where name != "userPrincipalName" && name != "displayName" && name != "accountEnabled" {
                    if let value { attributes[name] = value }
                }
                let draft = UserDraft(
                    id: source.objectGUID, userPrincipalName: upn, displayName: source.attributes["displayName"] ?? source.samAccountName,
                    accountEnabled: source.enabled, attributes: attributes, onPremisesSyncEnabled: true)
                do {
                    try createUser(draft)
                    let index = userIndex[draft.id]!
                    users[index].onPremisesImmutableId = source.objectGUID
                    users[index].onPremisesSamAccountName = source.samAccountName
                    report.created.append(upn)
                } catch {
                    report.skipped.append("\(sam): \(error)")
                }
            }
        }
        onPremises.changed = []
        onPremises.lastSync = now
        return report
    }

    /// Applies synced values to a cloud user; returns whether anything changed.
    /// A value Entra would refuse (a UPN another user holds, one that is not a UPN) leaves the
    /// user as it was and is reported, as Azure AD Connect reports an export error.
    private mutating func update(_ userID: String, with values: [String: String?]) throws(ModelError) -> Bool {
        guard let index = userIndex[userID] else { return false }
        var user = users[index]
        for (name, value) in values {
            try? UserAttributeWriter.set(name, to: value, on: &user)
        }
        guard user != users[index] else { return false }
        try replaceUser(at: index, with: user)
        pending.enqueue(userID, in: \.membershipUsers)
        return true
    }

    /// Synced users' synced attributes are mastered on-premises.
    func refuseCloudEdit(of names: [String], on user: User) throws(ModelError) {
        guard user.onPremisesImmutableId != nil, let sam = user.onPremisesSamAccountName else { return }
        for name in names {
            guard let ad = SyncMapping.adAttribute(forCloud: name), onPremises.configuration.syncs(ad) else { continue }
            throw .refused(
                "\(name) of \(user.userPrincipalName) is synced from on-premises AD (\(ad)); change it there: licensedesk onprem set \(sam) \(ad)=…")
        }
    }
}

import Foundation

/// The disabled plans a push writes for one SKU of a group or a user. `assignLicense` replaces
/// a SKU's disabled plans whole, so writing the rehearsal's list as it is would undo what the
/// tenant changed meanwhile, and re-enable plans Microsoft added to the SKU since the state was
/// pulled (they are disabled in the tenant, unknown here). The rehearsal decides the plans it
/// changed; the tenant keeps its say on every other.
public enum DisabledPlanMerge {
    public struct Result: Equatable, Sendable {
        /// What to send, sorted.
        public var disabledPlans: [String]
        /// Plans left disabled because the tenant has them so (the rehearsal did not touch them).
        public var keptDisabled: [String]
        /// Plans left enabled because the tenant has them so (the rehearsal did not touch them).
        public var keptEnabled: [String]
    }

    /// `ours`: the rehearsal's disabled plans. `theirs`: the tenant's now (nil: the tenant does
    /// not have the SKU there, so ours stands). `touched`: the plans the rehearsal switched (nil:
    /// it set the SKU whole, so every plan it knows). `known`: the plans the rehearsal's SKU lists.
    public static func merge(ours: [String], theirs: [String]?, touched: Set<String>?, known: Set<String>) -> Result {
        let ours = Set(ours.map { $0.lowercased() })
        guard let theirs = theirs.map({ Set($0.map { $0.lowercased() }) }) else {
            return Result(disabledPlans: ours.sorted(), keptDisabled: [], keptEnabled: [])
        }
        let decided = (touched ?? known).reduce(into: Set<String>()) { $0.insert($1.lowercased()) }
        var disabled = Set<String>(), keptDisabled = Set<String>(), keptEnabled = Set<String>()
        for plan in ours.union(theirs).union(decided) {
            if decided.contains(plan) {
                if ours.contains(plan) { disabled.insert(plan) }
            } else if theirs.contains(plan) {
                disabled.insert(plan)
                if !ours.contains(plan) { keptDisabled.insert(plan) }
            } else if ours.contains(plan) {
                keptEnabled.insert(plan)
            }
        }
        return Result(disabledPlans: disabled.sorted(), keptDisabled: keptDisabled.sorted(), keptEnabled: keptEnabled.sorted())
    }
}

extension SubscribedSku {
    /// How many of this SKU's plans a licence with these disabled plans leaves on (a disabled
    /// id that is not one of the SKU's plans turns nothing off).
    public func enabledPlanCount(disabling disabled: [String]) -> Int {
        let plans = Set(planIds)
        return plans.count - Set(disabled).intersection(plans).count
    }

    /// "3 of 16 enabled": the words the console and the command line both show for a licence.
    public func enabledSummary(disabling disabled: [String]) -> String {
        "\(enabledPlanCount(disabling: disabled)) of \(Set(planIds).count) enabled"
    }
}

extension SubscribedSku {
    /// More seats in use than bought (seats lowered below what is assigned, or an import): a
    /// warning the console's header, its Licences pane and `status` all show.
    public var isOverAllocated: Bool { consumedUnits > prepaidUnits.enabled }
}

extension Tenant {
    /// The SKUs using more seats than bought.
    public var overAllocatedSkus: [SubscribedSku] { subscribedSkus.filter(\.isOverAllocated) }
}

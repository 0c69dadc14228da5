/// How many of the leases one holder should hold, and when it should take more or give
/// some up: the leases split evenly over the live holders, with hysteresis so that a
/// holder missed for one round (a slow renew) does not make the others shuffle leases.
///
/// The split is exact: with `total` leases and `n` live holders, each holds `total / n`,
/// and the first `total % n` holders in name order one more. Every holder computes the
/// same split from the same view, so none takes what another is meant to keep.
struct FairShare: Sendable {
    /// Checks (over-share, leases left unheld) come every `checkEvery` rounds, and act
    /// only once `confirmations` checks in a row agree.
    let checkEvery: Int
    let confirmations: Int
    private var round = 0
    private var overShareChecks = 0
    private var unheldChecks = 0

    init(checkEvery: Int = 2, confirmations: Int = 2) {
        self.checkEvery = max(1, checkEvery)
        self.confirmations = max(1, confirmations)
    }

    /// What one round should do.
    struct Plan: Equatable, Sendable {
        /// How many leases this holder may hold (it acquires free ones up to this).
        var holdUpTo: Int
        /// How many of its leases it should hand over now.
        var handOver: Int
    }

    /// This holder's share of `total` leases among `live` (this holder counts whether or
    /// not it is listed).
    static func share(of holder: String, total: Int, live: some Collection<String>) -> Int {
        var holders = Set(live)
        holders.insert(holder)
        let ordered = holders.sorted()
        guard total > 0, let rank = ordered.firstIndex(of: holder) else { return 0 }
        return total / ordered.count + (rank < total % ordered.count ? 1 : 0)
    }

    /// One round: `holding` is what this holder delivers now (not counting leases it is
    /// handing over), `live` every live holder with the count it announced.
    mutating func plan(holder: String, holding: Int, total: Int, live: [String: Int]) -> Plan {
        let share = Self.share(of: holder, total: total, live: live.keys)
        let announced = live.filter { $0.key != holder }.values.reduce(0, +) + holding
        let unheld = max(0, total - announced)
        round += 1
        var handOver = 0
        if round % checkEvery == 0 {
            overShareChecks = holding > share ? overShareChecks + 1 : 0
            unheldChecks = unheld > 0 ? unheldChecks + 1 : 0
            if overShareChecks >= confirmations {
                handOver = holding - share
                overShareChecks = 0
            }
        }
        // Leases nobody took for several checks (a node that announces itself but cannot
        // take its share): a holder at its share takes them too, the next checks even out.
        let spare = unheldChecks >= confirmations ? unheld : 0
        return Plan(holdUpTo: handOver > 0 ? share : max(share + spare, 0), handOver: handOver)
    }
}

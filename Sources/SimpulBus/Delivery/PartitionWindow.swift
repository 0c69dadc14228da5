/// The events a subscription has read from one topic partition but not yet settled
/// (delivered, dead-lettered, or persisted as pending). The subscription's cursor is the
/// first unsettled offset: everything below it is safe to forget after a restart.
struct PartitionWindow {
    let topic: String
    let partition: Int
    /// The next offset to read.
    var nextRead: Int64
    /// The cursor last made durable.
    var committed: Int64
    /// Offsets read, in order, with whether each is settled.
    private var offsets: [Int64] = []
    private var settled: [Bool] = []
    private var head = 0

    init(topic: String, partition: Int, start: Int64) {
        self.topic = topic
        self.partition = partition
        nextRead = start
        committed = start
    }

    var unsettledCount: Int { offsets.count - head }

    /// The cursor: the first unsettled offset, or the next to read.
    var low: Int64 { head < offsets.count ? offsets[head] : nextRead }

    mutating func opened(_ offset: Int64) {
        offsets.append(offset)
        settled.append(false)
        nextRead = offset + 1
    }

    /// Marks `offset` settled and returns whether the cursor moved.
    @discardableResult
    mutating func settle(_ offset: Int64) -> Bool {
        var low = head, high = offsets.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if offsets[middle] == offset {
                settled[middle] = true
                break
            }
            if offsets[middle] < offset { low = middle + 1 } else { high = middle - 1 }
        }
        let before = head
        while head < offsets.count && settled[head] { head += 1 }
        if head > 4096 && head * 2 > offsets.count {
            offsets.removeFirst(head)
            settled.removeFirst(head)
            head = 0
            return true
        }
        return head != before
    }
}

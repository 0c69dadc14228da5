import SimpulLog

/// Options that make segments roll every few dozen records, so that short simulated runs
/// cross rolls, index entries and retention.
public func tinyOptions() -> PartitionOptions {
    var options = PartitionOptions()
    options.valueBytesMax = 256
    options.segmentBytesMax = 4096
    options.indexIntervalBytes = 200
    options.unsyncedBytesMax = 2048
    options.freeBytesFloor = 0
    return options
}

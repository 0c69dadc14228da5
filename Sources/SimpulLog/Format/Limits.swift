/// Every limit of the log, in one place, units last (TigerBeetle's habit).
public enum LogLimits {
    /// Largest value one record may carry. A bigger record is refused with
    /// `LogError.recordTooLarge`, never split.
    public static let recordValueBytesMax = 1 << 20
    /// Largest key (an entity key such as a NIK or a permit number).
    public static let recordKeyBytesMax = 1 << 10
    /// Longest topic name.
    public static let topicNameBytesMax = 200
    /// Most partitions a topic may have.
    public static let partitionCountMax = 1024
}

/// Public initialisers for the bus, which builds events from canonical CloudEvents that
/// arrive without an adapter (`POST /v1/events`).
extension CloudEvent {
    /// - Parameter dataCapacity: bytes to reserve for the data's JSON; a close guess (the
    ///   caller knows its request's size per event) spares the buffer's regrowth.
    public init(canonicalID id: String, source: String, type: String, subject: String, time: String, dataSchema: String,
                partitionKey: String, data: JSONObject, dataCapacity: Int = 256) {
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.dataSchema = dataSchema
        self.partitionKey = partitionKey
        self.data = data
        var bytes: [UInt8] = []
        bytes.reserveCapacity(dataCapacity)
        JSONWriter.write(.object(data), into: &bytes)
        self.dataBytes = bytes
    }
}

extension MappedRecord {
    public init(record position: Int, line: Int, outcome: Outcome) {
        self.position = position
        self.line = line
        self.outcome = outcome
    }
}

/// Public initialisers for the bus, which builds events from canonical CloudEvents that
/// arrive without an adapter (`POST /v1/events`).
extension CloudEvent {
    public init(canonicalID id: String, source: String, type: String, subject: String, time: String, dataSchema: String,
                partitionKey: String, data: JSONObject) {
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.dataSchema = dataSchema
        self.partitionKey = partitionKey
        self.data = data
        self.dataBytes = JSONWriter.write(.object(data))
    }
}

extension MappedRecord {
    public init(record position: Int, line: Int, outcome: Outcome) {
        self.position = position
        self.line = line
        self.outcome = outcome
    }
}

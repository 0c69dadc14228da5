/// The seam between the delivery engine and the network: `HTTPDeliveryClient` in
/// production, a scripted fake in the engine's tests.
///
/// Concurrency: an implementation is used by one task at a time (like a curl handle);
/// it need not be `Sendable`.
public protocol DeliveryTransport: AnyObject {
    /// Sends one attempt and returns its outcome; failures are in the response, never thrown.
    func send(_ request: DeliveryRequest) -> DeliveryResponse
}

extension HTTPDeliveryClient: DeliveryTransport {}

extension DeliveryRequest {
    /// The media type of a CloudEvent in structured mode.
    public static let cloudEventsContentType = "application/cloudevents+json"

    /// A signed CloudEvent attempt (DESIGN.md Delivery): `Content-Type`,
    /// `Idempotency-Key: <event id>` and the three Standard Webhooks headers, with the event
    /// id as `webhook-id` so every retry and replay carries the same id.
    /// - Parameters:
    ///   - timestamp: seconds since the Unix epoch at this attempt (re-signed per attempt).
    public static func signedCloudEvent(
        url: String, eventID: String, body: [UInt8], signer: WebhookSigner, timestamp: Int64,
        timeout: Duration = defaultTimeout
    ) -> DeliveryRequest {
        let headers = [("Content-Type", cloudEventsContentType), ("Idempotency-Key", eventID)]
            + signer.headers(id: eventID, timestamp: timestamp, body: body)
        return DeliveryRequest(url: url, body: body, headers: headers, timeout: timeout)
    }
}

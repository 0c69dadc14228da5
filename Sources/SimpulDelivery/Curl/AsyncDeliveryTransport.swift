/// The seam between the delivery engine and the network for concurrent sending: the
/// curl-multi sender in production, scripted fakes in tests. Safe from any task.
public protocol AsyncDeliveryTransport: Sendable {
    /// Sends one attempt with a subscription's client settings; failures are in the
    /// response, never thrown.
    func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse
}
extension CurlMultiSender: AsyncDeliveryTransport {}

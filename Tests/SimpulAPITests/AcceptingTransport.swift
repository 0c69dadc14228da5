import SimpulDelivery

/// A receiver that accepts every attempt without a network, for the API tests that are
/// about the admin routes rather than the wire (the sink tests cover the wire).
struct AcceptingTransport: AsyncDeliveryTransport {
    func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse {
        DeliveryResponse(status: 204, duration: .zero, error: nil)
    }
}

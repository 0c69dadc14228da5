/// The seam between the delivery engine and the network for concurrent sending: the
/// curl-multi sender in production, scripted fakes in tests. Safe from any task.
public protocol AsyncDeliveryTransport: Sendable {
    /// Sends one attempt with a subscription's client settings; failures are in the
    /// response, never thrown.
    func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions) async -> DeliveryResponse
    /// The same, answering through `completion` (called once, on any thread).
    func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions,
              completion: @escaping @Sendable (DeliveryResponse) -> Void)
}

extension AsyncDeliveryTransport {
    /// For transports without a callback path of their own (test fakes): a task per send.
    public func send(_ request: DeliveryRequest, options: HTTPDeliveryClientOptions,
                     completion: @escaping @Sendable (DeliveryResponse) -> Void) {
        Task { completion(await send(request, options: options)) }
    }
}

extension CurlMultiSender: AsyncDeliveryTransport {}

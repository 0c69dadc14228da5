/// SimpulDelivery: the building blocks of outbound webhook delivery (DESIGN.md Delivery).
///
/// - Signing/: `WebhookSigner` (Standard Webhooks `v1,` HMAC-SHA256 through OpenSSL, secret
///   generation with `RAND_bytes`), `WebhookVerifier` (receiver side: skew tolerance, rotation).
/// - Policy/: `DeliveryOutcome.classify` (the D3 table), `RetryPolicy` (schedule, full
///   jitter, capped `Retry-After`), `RetryAfter` parsing, `SeededRandom` (the jitter seam).
/// - Guard/: `AddressPolicy` (the SSRF guard on resolved addresses), `IPAddress`, `CIDR`.
/// - Curl/: `CurlEasyTransfer` (one configured easy handle: the guard in the open-socket and
///   pre-request callbacks, the response cap, timeouts), used by `HTTPDeliveryClient` (one
///   blocking send at a time) and by `CurlMultiSender` (many concurrent sends on one thread
///   driving a curl multi handle, handles pooled per options), `DeliveryRequest`/`DeliveryResponse`,
///   the `DeliveryTransport` seam.
///
/// It depends on CCurl, COpenSSL and Foundation only; the bus composes these pieces into
/// subscriptions, the dispatcher, the circuit breaker and the DLQ.
public enum SimpulDelivery {}

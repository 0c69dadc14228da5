/// SimpulDelivery: the building blocks of outbound webhook delivery.
///
/// Signing (Standard Webhooks), the retry policy and outcome classification, the SSRF
/// address guard and a libcurl client that applies the guard to the address it connects to.
/// It depends on CCurl, COpenSSL and Foundation only; the bus composes these pieces.
public enum SimpulDelivery {}

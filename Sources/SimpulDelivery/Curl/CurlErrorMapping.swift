import CCurl
import Foundation

/// Turns a `CURLcode` into a typed `DeliveryError` (or none).
enum CurlErrorMapping {
    static func error(
        code: CURLcode, context: TransferContext, url: String, timeoutMs: Int, osErrno: Int32
    ) -> DeliveryError? {
        if code == CURLE_OK { return nil }
        // The write callback stopped reading on purpose: the response itself is fine.
        if code == CURLE_WRITE_ERROR && context.bodyTruncated { return nil }
        let detail = context.errorMessage.isEmpty
            ? String(cString: curl_easy_strerror(code)) : context.errorMessage
        switch code {
        case CURLE_COULDNT_CONNECT:
            // With several addresses (IPv6 and IPv4), one may be refused and another tried:
            // only when no socket was opened at all is the guard the whole story.
            if let refusal = context.refusal, context.socketsOpened == 0 { return .blockedByPolicy(refusal) }
            if osErrno == ECONNREFUSED { return .connectionRefused(detail: detail) }
            return .connectionFailed(detail: detail)
        case CURLE_ABORTED_BY_CALLBACK where context.connectionRefusal != nil:
            return context.connectionRefusal.map { .blockedByPolicy($0) }
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(milliseconds: timeoutMs)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dnsFailure(host: host(of: url), detail: detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidURL(url)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND:
            return .tls(detail: detail)
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE:
            return .connectionFailed(detail: detail)
        default:
            // A refusal can surface under another code when curl gives up on all addresses.
            if let refusal = context.refusal, context.socketsOpened == 0 { return .blockedByPolicy(refusal) }
            return .other(curlCode: Int(code.rawValue), detail: detail)
        }
    }

    private static func host(of url: String) -> String {
        URLComponents(string: url)?.host ?? url
    }
}

import CCurl
import Foundation

/// The libcurl ceiling of `simpul-bench deliver`: what one thread driving a curl multi
/// handle can post, with nothing of Simpul around it. `handles` easy handles, each set up
/// once with the URL, the headers and the 1 KiB body, re-added as soon as its answer is
/// complete; keep-alive connections from curl's cache.
enum PlainCurlMultiLoop {
    /// Requests answered per second over `seconds`, after a short warm-up.
    /// - Throws: `BenchError` when curl cannot be set up or a request fails (the sink must
    ///   answer every one with 2xx, or the figure would be meaningless).
    static func requestsPerSecond(url: String, body: [UInt8], headers: [String], handles: Int, seconds: Double) throws -> Double {
        guard curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK, let multi = curl_multi_init() else {
            throw BenchError("curl could not be initialised")
        }
        defer { curl_multi_cleanup(multi) }
        _ = simpul_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, handles)
        var headerList: UnsafeMutablePointer<curl_slist>?
        for line in headers + ["Expect:"] { headerList = curl_slist_append(headerList, line) }
        defer { curl_slist_free_all(headerList) }
        // CURLOPT_POSTFIELDS does not copy: the bytes live until every handle is gone.
        let bodyCopy = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, body.count))
        bodyCopy.initialize(from: body, count: body.count)
        defer { bodyCopy.deallocate() }

        var easyHandles: [UnsafeMutableRawPointer] = []
        defer {
            for handle in easyHandles {
                curl_multi_remove_handle(multi, handle)
                curl_easy_cleanup(handle)
            }
        }
        for _ in 0..<handles {
            guard let handle = curl_easy_init() else { throw BenchError("curl_easy_init returned no handle") }
            easyHandles.append(handle)
            _ = simpul_curl_setopt_string(handle, CURLOPT_URL, url)
            _ = simpul_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            _ = simpul_curl_setopt_long(handle, CURLOPT_POST, 1)
            _ = simpul_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            _ = simpul_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, bodyCopy)
            _ = simpul_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
            _ = simpul_curl_setopt_string(handle, CURLOPT_PROXY, "")
            _ = simpul_curl_setopt_write_callback(handle, discardResponseBody)
            curl_multi_add_handle(multi, handle)
        }

        let warmUpEnd = DispatchTime.now().uptimeNanoseconds + 300_000_000
        var measureStart: UInt64 = 0
        var measureEnd: UInt64 = 0
        var answered = 0
        while measureEnd == 0 || DispatchTime.now().uptimeNanoseconds < measureEnd {
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard simpul_curl_message_is_done(message) != 0, let handle = message.pointee.easy_handle else { continue }
                let code = simpul_curl_message_result(message)
                var status = 0
                _ = simpul_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
                guard code == CURLE_OK, (200..<300).contains(status) else {
                    throw BenchError("the plain curl loop got curl code \(code.rawValue), HTTP \(status) from \(url)")
                }
                curl_multi_remove_handle(multi, handle)
                curl_multi_add_handle(multi, handle)
                if measureStart != 0 { answered += 1 }
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if measureStart == 0 && now >= warmUpEnd {
                measureStart = now
                measureEnd = now + UInt64(seconds * 1e9)
            }
            curl_multi_poll(multi, nil, 0, 100, nil)
        }
        return Double(answered) / (Double(DispatchTime.now().uptimeNanoseconds - measureStart) / 1e9)
    }
}

/// `CURLOPT_WRITEFUNCTION` that drops the (empty) answers.
private func discardResponseBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                                 _ user: UnsafeMutableRawPointer?) -> Int {
    size * count
}

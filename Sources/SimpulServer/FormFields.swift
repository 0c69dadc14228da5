extension RequestTarget {
    /// The fields of an `application/x-www-form-urlencoded` body (a login form); a field
    /// that does not decode is left out, the last of a repeated name wins.
    public static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(parts[0], plusIsSpace: true),
                  let value = percentDecode(parts.count > 1 ? parts[1] : "", plusIsSpace: true) else { continue }
            fields[name] = value
        }
        return fields
    }
}

extension Route {
    /// The domain a wildcard host covers one label of: `example.com` for `*.example.com`; `nil`
    /// for any other host.
    ///
    /// A wildcard route takes requests for exactly one label in place of the `*`
    /// (`shop.example.com`, never `a.shop.example.com`), as a wildcard certificate does; an
    /// exact host another route names wins over it on every gateway.
    public var wildcardDomain: String? {
        host.hasPrefix("*.") ? String(host.dropFirst(2)).lowercased() : nil
    }

    /// The address of an IPv6 literal host, without its brackets: `::1` for `[::1]`; `nil` for
    /// any other host.
    public var ipv6Address: String? {
        guard host.hasPrefix("["), host.hasSuffix("]"), host.count > 2 else { return nil }
        return String(host.dropFirst().dropLast())
    }

    /// Whether this route's wildcard host takes requests for `other`, an exact host: `*.example.com`
    /// covers `shop.example.com`, but not `example.com` or `a.shop.example.com`.
    public func wildcardCovers(_ other: String) -> Bool {
        guard let domain = wildcardDomain, !other.hasPrefix("*"), !other.hasPrefix("[") else { return false }
        let other = other.lowercased()
        guard other.hasSuffix("." + domain) else { return false }
        let label = other.dropLast(domain.count + 1)
        return !label.isEmpty && !label.contains(".")
    }
}

/// IPv6 text forms (RFC 4291, section 2.2), checked without the network stack.
public enum IPv6Address {
    /// Whether `text` is an IPv6 address: eight groups of one to four hexadecimal digits, with
    /// at most one `::` standing for one or more groups of zeros, and optionally an IPv4
    /// address in place of the last two groups (`::ffff:192.0.2.1`). A zone (`%eth0`) is not
    /// part of an address a request can name.
    public static func isValid(_ text: String) -> Bool {
        // ASCII only: `isHexDigit` and `isNumber` take fullwidth digits too.
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else {
            return false
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ part: String) -> [Substring]? {
            part.isEmpty ? [] : part.split(separator: ":", omittingEmptySubsequences: false)
        }
        guard var head = groups(halves[0]) else { return false }
        var tail = halves.count == 2 ? groups(halves[1]) ?? [] : []
        // An IPv4 address takes the place of the last two groups.
        var count = 0
        let last = (halves.count == 2 ? tail.last : head.last) ?? ""
        if last.contains(".") {
            guard isIPv4(last) else { return false }
            if halves.count == 2 { tail.removeLast() } else { head.removeLast() }
            count += 2
        }
        for group in head + tail {
            guard (1...4).contains(group.count), group.allSatisfy(\.isHexDigit) else { return false }
            count += 1
        }
        return halves.count == 2 ? count <= 7 : count == 8
    }

    private static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                (1...3).contains(part.count) && part.allSatisfy(\.isWholeNumber) && Int(part)! <= 255
                    && !(part.count > 1 && part.hasPrefix("0"))
            }
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A minimal HTTP/1.1 client for requests through a gateway on 127.0.0.1 with a chosen `Host`
/// header, which URLSession does not let a caller set.
enum LoopbackHTTP {
    struct Response: Sendable {
        var status: Int
        /// The header lines, as received.
        var head: String
        var body: String
    }

    /// One `GET`, with connect, send and receive bounded by `timeout` seconds; `nil` when the
    /// gateway does not answer.
    /// - Parameter headers: More request header lines, such as `Authorization: Basic …`.
    static func get(port: Int, host: String, path: String, headers: [String] = [], timeout: Int = 3) -> Response? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let extra = headers.map { "\($0)\r\n" }.joined()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nUser-Agent: berth-tests\r\n\(extra)\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            return nil
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Bounded: at most 1 MiB, and every read times out.
        while received.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n", maxSplits: 1).first,
            let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        let split = text.range(of: "\r\n\r\n")
        let head = split.map { String(text[..<$0.lowerBound]) } ?? text
        let body = split.map { String(text[$0.upperBound...]) } ?? ""
        return Response(status: status, head: head, body: body)
    }

    /// Repeats ``get(port:host:path:timeout:)`` a bounded number of times until `accept` holds;
    /// returns the last response.
    static func poll(
        port: Int, host: String, path: String, attempts: Int = 20,
        until accept: (Response) -> Bool
    ) async -> Response? {
        var last: Response?
        for attempt in 1...attempts {
            last = get(port: port, host: host, path: path)
            if let last, accept(last) { return last }
            if attempt < attempts { try? await Task.sleep(for: .milliseconds(500)) }
        }
        return last
    }
}

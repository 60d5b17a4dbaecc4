import BerthCore
import Foundation

/// The routes of a service, recorded on what Berth deploys (``OwnershipLabel/routes``), so a
/// deploy of another stack can read every route the engine serves: to refuse a host and path
/// already claimed, and to render an nginx gateway's configuration from all of them.
public enum RouteLabel {
    /// The routes as the label's value: JSON, keys sorted, so equal routes give equal labels
    /// and a service's configuration hash does not change by itself.
    public static func encode(_ routes: [Route]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain value types cannot fail.
        let data = (try? encoder.encode(routes)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The routes without where they were written: what a service's configuration hash takes,
    /// so moving a `.route(…)` line does not recreate the service, while changing a route does.
    public static func fingerprint(_ routes: [Route]) -> String {
        let unplaced = SourceLocation(fileID: "", line: 0)
        return encode(
            routes.map { route in
                var route = route
                route.location = unplaced
                return route
            })
    }

    /// The routes a label's value records.
    /// - Throws: `DecodingError` when the value was not written by ``encode(_:)``.
    public static func decode(_ value: String) throws -> [Route] {
        try JSONDecoder().decode([Route].self, from: Data(value.utf8))
    }
}

import Foundation

/// CPU and memory a service may use (limits) and is guaranteed (reservations).
public struct Resources: Sendable, Hashable, Codable {
    /// The most CPU the service may use, in cores (`0.5` is half a core).
    public var cpuLimit: Double?
    /// The most memory the service may use.
    public var memoryLimit: MemorySize?
    /// The CPU the scheduler reserves for the service, in cores.
    public var cpuReservation: Double?
    /// The memory the scheduler reserves for the service.
    public var memoryReservation: MemorySize?

    /// Creates resource settings; `nil` means "no constraint".
    public init(
        cpuLimit: Double? = nil,
        memoryLimit: MemorySize? = nil,
        cpuReservation: Double? = nil,
        memoryReservation: MemorySize? = nil
    ) {
        self.cpuLimit = cpuLimit
        self.memoryLimit = memoryLimit
        self.cpuReservation = cpuReservation
        self.memoryReservation = memoryReservation
    }

    /// Whether no constraint is set.
    public var isEmpty: Bool {
        cpuLimit == nil && memoryLimit == nil && cpuReservation == nil && memoryReservation == nil
    }
}

/// An amount of memory, written the way Docker reads it: `"512M"`, `"1.5G"`, `"65536k"`.
///
/// The text is kept as written and checked by validation, so a typo such as `"512MB"` is
/// reported with the line it was written on instead of failing on the server.
public struct MemorySize: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The text as written.
    public var text: String

    /// Creates a size from Docker's notation.
    public init(_ text: String) { self.text = text }

    public init(stringLiteral value: String) { self.init(value) }

    /// A size in mebibytes.
    public static func megabytes(_ value: Int) -> MemorySize { MemorySize("\(value)M") }
    /// A size in gibibytes.
    public static func gigabytes(_ value: Int) -> MemorySize { MemorySize("\(value)G") }

    /// The size in bytes, or `nil` when the text is not a valid size.
    public var bytes: Int? {
        let units: [Character: Double] = [
            "b": 1, "k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024, "t": 1024 * 1024 * 1024 * 1024,
        ]
        var number = Substring(text)
        var multiplier: Double = 1
        if let last = number.last?.lowercased().first, let unit = units[last] {
            multiplier = unit
            number = number.dropLast()
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(number), value > 0
        else { return nil }
        // Below one byte is no size, and beyond Int.max converting would trap.
        let total = (value * multiplier).rounded(.down)
        guard total >= 1, total < 0x1p63 else { return nil }
        return Int(total)
    }

    public var description: String { text }
}

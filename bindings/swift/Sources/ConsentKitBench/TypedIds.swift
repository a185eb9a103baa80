// The typed ids the benchmark passes to `decide` for the row "facade_decide_typed": the shape `consentkit codegen
// --lang swift` generates for an app (bindings/swift/README.md, "Typed ids"; the README's examples call `decide`
// this way): an enum in the app's module whose `id` is a switch over the manifest's literals, made a `PurposeID` /
// `DataTypeID` by an extension returning `id`. Only the ids of the benchmark's keys (examples/ride_hailing.json).
import ConsentKit

enum BenchIds {
    enum Purpose: UInt32, CaseIterable, Sendable {
        case ride = 0
        case liveLocation = 1
        case ads = 2

        var id: String {
            switch self {
            case .ride: return "ride"
            case .liveLocation: return "live_location"
            case .ads: return "ads"
            }
        }

        init?(id: String) {
            guard let found = Self.allCases.first(where: { $0.id == id }) else { return nil }
            self = found
        }
    }

    enum DataType: UInt32, CaseIterable, Sendable {
        case departure = 17
        case destination = 18
        case deviceId = 19
        case location = 30
        case paymentInfo = 39
        case phoneNumber = 40
        case trajectory = 51
        case usageHistory = 54

        var id: String {
            switch self {
            case .departure: return "departure"
            case .destination: return "destination"
            case .deviceId: return "device_id"
            case .location: return "location"
            case .paymentInfo: return "payment_info"
            case .phoneNumber: return "phone_number"
            case .trajectory: return "trajectory"
            case .usageHistory: return "usage_history"
            }
        }

        init?(id: String) {
            guard let found = Self.allCases.first(where: { $0.id == id }) else { return nil }
            self = found
        }
    }
}

extension BenchIds.Purpose: PurposeID {
    var manifestID: String { id }
}

extension BenchIds.DataType: DataTypeID {
    var manifestID: String { id }
}

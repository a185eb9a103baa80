// The iOS permission provider for ConsentKit's PermissionCoordinator: reads and requests the system authorisations
// behind the platform table's ids (location, camera, microphone, photos, contacts, calendar, motion, tracking).
// It cannot be compiled on the Linux host; the same PermissionProvider protocol has a fake in the Linux tests
// (bindings/swift/Tests/ConsentKitTests/PermissionCoordinatorTests.swift). Every iOS denial is reported as
// deniedPermanently: iOS shows each system dialog once, after that only the Settings app can change it.
#if os(iOS)
import AppTrackingTransparency
import AVFoundation
import Contacts
import CoreLocation
import CoreMotion
import EventKit
import Photos
import UIKit
import ConsentKit

public final class SystemPermissionProvider: NSObject, PermissionProvider, CLLocationManagerDelegate, @unchecked Sendable {
    public let supported = ["location", "camera", "microphone", "photos", "contacts", "calendar", "motion", "tracking"]
    private let location = CLLocationManager()
    private var locationDone: ((PermissionState) -> Void)?

    public override init() {
        super.init()
        location.delegate = self
    }

    public func currentState(of permission: String) -> PermissionState {
        switch permission {
        case "location": return Self.state(location.authorizationStatus, location.accuracyAuthorization)
        case "camera": return Self.state(AVCaptureDevice.authorizationStatus(for: .video))
        case "microphone": return Self.state(AVCaptureDevice.authorizationStatus(for: .audio))
        case "photos":
            switch PHPhotoLibrary.authorizationStatus(for: .readWrite) {
            case .notDetermined: return .notDetermined
            case .authorized: return .granted
            case .limited: return .limited
            case .restricted: return .restricted
            case .denied: return .deniedPermanently
            @unknown default: return .deniedPermanently
            }
        case "contacts":
            switch CNContactStore.authorizationStatus(for: .contacts) {
            case .notDetermined: return .notDetermined
            case .authorized: return .granted
            case .restricted: return .restricted
            case .denied: return .deniedPermanently
            @unknown default: return .limited // iOS 18 limited contacts access
            }
        case "calendar":
            // Raw values: iOS 17's fullAccess (3, formerly authorized) and writeOnly (4) are unavailable on iOS 15.
            switch EKEventStore.authorizationStatus(for: .event).rawValue {
            case 0: return .notDetermined
            case 1: return .restricted
            case 3: return .granted
            case 4: return .limited
            default: return .deniedPermanently
            }
        case "motion":
            switch CMMotionActivityManager.authorizationStatus() {
            case .notDetermined: return .notDetermined
            case .authorized: return .granted
            case .restricted: return .restricted
            case .denied: return .deniedPermanently
            @unknown default: return .deniedPermanently
            }
        case "tracking":
            switch ATTrackingManager.trackingAuthorizationStatus {
            case .notDetermined: return .notDetermined
            case .authorized: return .granted
            case .restricted: return .restricted
            case .denied: return .deniedPermanently
            @unknown default: return .deniedPermanently
            }
        default: return .restricted
        }
    }

    public func request(_ permission: String, completion: @escaping @Sendable (PermissionState) -> Void) {
        let done: @Sendable () -> Void = { [weak self] in
            DispatchQueue.main.async { completion(self?.currentState(of: permission) ?? .deniedPermanently) }
        }
        switch permission {
        case "location":
            locationDone = { _ in done() }
            if location.authorizationStatus == .notDetermined {
                location.requestWhenInUseAuthorization()
            } else {
                // Already allowed approximately: ask for precise location once (needs
                // NSLocationTemporaryUsageDescriptionDictionary with the "PreciseLocation" purpose key).
                location.requestTemporaryFullAccuracyAuthorization(withPurposeKey: "PreciseLocation") { _ in done() }
            }
        case "camera": AVCaptureDevice.requestAccess(for: .video) { _ in done() }
        case "microphone": AVCaptureDevice.requestAccess(for: .audio) { _ in done() }
        case "photos": PHPhotoLibrary.requestAuthorization(for: .readWrite) { _ in done() }
        case "contacts": CNContactStore().requestAccess(for: .contacts) { _, _ in done() }
        case "calendar":
            if #available(iOS 17.0, *) {
                EKEventStore().requestFullAccessToEvents { _, _ in done() }
            } else {
                EKEventStore().requestAccess(to: .event) { _, _ in done() }
            }
        case "motion":
            let manager = CMMotionActivityManager()
            manager.queryActivityStarting(from: Date(), to: Date(), to: .main) { _, _ in done() }
        case "tracking": ATTrackingManager.requestTrackingAuthorization { _ in done() }
        default: done()
        }
    }

    public func openSettings() {
        guard let url = URL(string: UIApplication.openSettingsURLString) else { return }
        DispatchQueue.main.async { UIApplication.shared.open(url) }
    }

    public func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
        guard manager.authorizationStatus != .notDetermined, let done = locationDone else { return }
        locationDone = nil
        done(currentState(of: "location"))
    }

    private static func state(_ s: CLAuthorizationStatus, _ accuracy: CLAccuracyAuthorization) -> PermissionState {
        switch s {
        case .notDetermined: return .notDetermined
        case .authorizedWhenInUse, .authorizedAlways: return accuracy == .reducedAccuracy ? .limited : .granted
        case .restricted: return .restricted
        case .denied: return .deniedPermanently
        @unknown default: return .deniedPermanently
        }
    }

    private static func state(_ s: AVAuthorizationStatus) -> PermissionState {
        switch s {
        case .notDetermined: return .notDetermined
        case .authorized: return .granted
        case .restricted: return .restricted
        case .denied: return .deniedPermanently
        @unknown default: return .deniedPermanently
        }
    }
}
#endif

// This target only carries ConsentKit's privacy manifest (PrivacyInfo.xcprivacy) as a resource; SwiftPM needs one
// source file per target.
enum ConsentKitPrivacy {}

//! App-store declarations rendered from the manifest, and third-party SDKs' declarations checked against it
//! (feature `cli`): Apple's privacy manifest (`PrivacyInfo.xcprivacy`) out and back in, Google Play's Data safety
//! answers, and the privacy manifests SDKs ship. The facts come from the manifest and the mapping table
//! ([`crate::rules::StoreDeclarations`]); the plist encoding is [`plist_io`], the only user of the `plist` crate.

pub mod apple;
pub mod import;
pub mod play;
pub mod plist_io;
pub mod sdks;

pub use apple::{AppleDeclaration, CollectedType};

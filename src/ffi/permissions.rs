//! The OS permission layer on the UniFFI surface: the platform bridge reports permission states (not consent:
//! never in the ledger), the app asks which permission blocks a decision. Thin delegations to
//! `engine::permissions`.

use super::{guard, ConsentKit, Res};
use crate::gate::{self, IdKind};
use crate::prompt;

/// The state of an OS permission, as the platform reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PermissionState {
    /// Never asked: the system dialog can be shown.
    NotDetermined,
    /// Granted in full.
    Granted,
    /// Granted in its limited form: approximate location, selected photos.
    Limited,
    /// Denied; the system dialog may be shown again (Android after a first denial).
    Denied,
    /// Denied for good: only the system settings can change it (Android when the rationale is no longer shown
    /// after a denial; every iOS denial, ATT included).
    DeniedPermanently,
    /// The user cannot grant it (parental controls, device management).
    Restricted,
}

impl From<PermissionState> for gate::PermissionState {
    fn from(s: PermissionState) -> Self {
        match s {
            PermissionState::NotDetermined => gate::PermissionState::NotDetermined,
            PermissionState::Granted => gate::PermissionState::Granted,
            PermissionState::Limited => gate::PermissionState::Limited,
            PermissionState::Denied => gate::PermissionState::Denied,
            PermissionState::DeniedPermanently => gate::PermissionState::DeniedPermanently,
            PermissionState::Restricted => gate::PermissionState::Restricted,
        }
    }
}

/// The OS permission a prompt is about, with the explanation to show beside the system dialog.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PermissionRequest {
    /// Platform-neutral id (`location`, `camera`, `photos`, `contacts`, `tracking`, ...): the id to report with
    /// `setPermissionState`.
    pub id: String,
    /// What the permission guards.
    pub description: String,
    /// The text to show at the same time as the system dialog: why the feature needs it.
    pub explanation: String,
    /// The Android manifest permissions it stands for (request those your app declares for the device's API level).
    pub android: Vec<String>,
    /// The Info.plist usage-description keys the iOS dialog shows.
    pub ios_usage_keys: Vec<String>,
    /// The limited form (approximate location, selected photos) is enough for this purpose.
    pub limited_enough: bool,
}

impl From<prompt::PermissionRequest> for PermissionRequest {
    fn from(p: prompt::PermissionRequest) -> Self {
        PermissionRequest {
            id: p.id,
            description: p.description,
            explanation: p.explanation,
            android: p.android,
            ios_usage_keys: p.ios_usage_keys,
            limited_enough: p.limited_enough,
        }
    }
}

#[uniffi::export]
impl ConsentKit {
    /// Reports the state of an OS permission (`location`, `camera`, `microphone`, `photos`, `contacts`, `calendar`,
    /// `motion`, `phone_state`, `sms`, `call_log`, `background_location`, `tracking`). Not consent: kept in memory,
    /// never in the ledger. The first report enables the permission layer: a guarded data type whose permission was
    /// never reported is then denied. `since_ms`: when the state began, if the platform kept it (the cooldown after
    /// a denial runs from it); `None`: now, or the time this state was first reported. Unknown id: `UnknownId`.
    pub fn set_permission_state(&self, permission: String, state: PermissionState, since_ms: Option<i64>) -> Res<()> {
        guard::guard(|| Ok(self.engine().set_permission_state(&permission, state.into(), since_ms)?))
    }

    /// The OS permission that makes `decide(purpose, dataType)` deny with `OsPermissionDenied` or
    /// `TrackingNotAuthorized`; `None` for any other answer.
    pub fn blocking_permission(&self, purpose: String, data_type: String) -> Res<Option<String>> {
        guard::guard(|| {
            let p = self.engine().handle(IdKind::Purpose, &purpose)?;
            let d = self.engine().handle(IdKind::DataType, &data_type)?;
            Ok(self.engine().blocking_permission(p, d)?)
        })
    }
}

/// One Android manifest permission of an OS permission, with the API levels it applies on.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AndroidPermissionInfo {
    /// Manifest name (`android.permission.ACCESS_FINE_LOCATION`).
    pub name: String,
    /// It grants only the limited form (approximate location, selected photos).
    pub limited: bool,
    /// First API level it applies on.
    pub min_api: u32,
    /// Last API level it applies on (`None`: still applies).
    pub max_api: Option<u32>,
    /// Granted at install (never asked at run time).
    pub install_time: bool,
}

/// One OS permission of the platform table: what a bridge checks, requests and reports.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OsPermissionInfo {
    /// Platform-neutral id, as `setPermissionState` takes it.
    pub id: String,
    /// What it guards.
    pub description: String,
    /// Android manifest permissions.
    pub android: Vec<AndroidPermissionInfo>,
    /// iOS Info.plist usage-description keys.
    pub ios_usage_keys: Vec<String>,
}

/// The platform table (versioned data beside the rule packs): every OS permission the core knows, for the
/// platform bridges.
#[uniffi::export]
pub fn os_permission_table() -> Vec<OsPermissionInfo> {
    crate::rules::PlatformTable::get()
        .permissions
        .iter()
        .map(|p| OsPermissionInfo {
            id: p.id.clone(),
            description: p.description.clone(),
            android: p
                .android
                .iter()
                .map(|a| AndroidPermissionInfo {
                    name: a.name.clone(),
                    limited: a.grants == crate::rules::Grants::Limited,
                    min_api: a.min_api,
                    max_api: a.max_api,
                    install_time: a.install_time,
                })
                .collect(),
            ios_usage_keys: p.ios.iter().flat_map(|i| i.usage_keys.iter().map(|k| k.key.clone())).collect(),
        })
        .collect()
}

//! The operating-system step of a prompt: which permission to request (or open the settings for), with the
//! explanation the app shows beside the system dialog, from the platform table and the purpose's own text.

use crate::gate::Index;
use crate::rules::PlatformTable;

/// The OS permission a prompt is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionRequest {
    /// Platform-table id (`location`, `camera`, `tracking`, ...): what the bridge requests and reports.
    pub id: String,
    /// What the permission guards, for the user.
    pub description: String,
    /// The text to show at the same time as the system dialog (the purpose that needs it, in the manifest's words).
    pub explanation: String,
    /// The Android manifest permissions that make it up.
    pub android: Vec<String>,
    /// The Info.plist usage-description keys the system dialog shows.
    pub ios_usage_keys: Vec<String>,
    /// The purpose is satisfied by the limited form (approximate location, selected photos).
    pub limited_enough: bool,
}

/// The request for permission handle `permission` on behalf of purpose `p`.
pub fn permission_request(index: &Index, p: u32, permission: u16) -> Option<PermissionRequest> {
    let entry = PlatformTable::get().permissions.get(permission as usize)?;
    let purpose = &index.purposes[p as usize];
    let guards: Vec<_> = purpose.data_types.iter().filter_map(|&d| index.guards[d as usize]).filter(|g| g.permission == permission).collect();
    Some(PermissionRequest {
        id: entry.id.clone(),
        description: entry.description.clone(),
        explanation: index.purpose_decl(p).description.clone().unwrap_or_default(),
        android: entry.android.iter().map(|a| a.name.clone()).collect(),
        ios_usage_keys: entry.ios.iter().flat_map(|i| i.usage_keys.iter().map(|k| k.key.clone())).collect(),
        limited_enough: !guards.is_empty() && guards.iter().all(|g| g.accepts_limited),
    })
}

//! The operating-system layer of the gate: the permission states the platform reports (Android runtime
//! permissions, iOS authorisations, App Tracking Transparency). They are facts about the device, not consent: kept
//! in memory and carried by the snapshot, never written to the ledger (docs/rules.md § "Operating-system
//! permissions").

/// The state of one OS permission, as the platform reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermissionState {
    /// Never asked: the system dialog can be shown.
    NotDetermined,
    /// Granted in full.
    Granted,
    /// Granted in its limited form: approximate location, the photos the user selected.
    Limited,
    /// Denied; the system dialog may be shown again (Android, after a first denial).
    Denied,
    /// Denied and the system will not ask again: only the system settings can change it (Android after a second
    /// denial, iOS after any denial, ATT after any denial).
    DeniedPermanently,
    /// The user cannot grant it (parental controls, device management).
    Restricted,
}

/// One reported state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    /// The state.
    pub state: PermissionState,
    /// Since when, UTC ms (a denial's cooldown runs from it).
    pub since_ms: i64,
}

/// What the app may do next about a permission that blocks a purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsNext {
    /// Show the system dialog (with the explanation beside it).
    Request,
    /// Send the user to the system settings (only when the user starts the feature).
    OpenSettings,
    /// Nothing now: the cooldown after a denial runs until this time (UTC ms).
    WaitUntil(i64),
    /// Nothing ever: the permission is restricted on this device.
    Never,
}

/// Every reported permission state, by platform-table handle ([`crate::rules::PlatformTable`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OsPermissions {
    /// The app wired the permission layer (it reported at least one state): from then on, a guarded data type whose
    /// permission was never reported is denied. Until then consent alone decides, as for an app without a bridge
    /// (except the advertising id, which always needs the tracking permission).
    pub enabled: bool,
    /// Reported state per permission handle.
    pub states: Vec<Option<Reported>>,
}

impl OsPermissions {
    /// Nothing reported, the layer off, for `count` permissions.
    pub fn new(count: usize) -> Self {
        OsPermissions { enabled: false, states: vec![None; count] }
    }

    /// The reported state of a permission.
    pub fn state(&self, permission: u16) -> Option<PermissionState> {
        self.states.get(permission as usize).copied().flatten().map(|r| r.state)
    }

    /// Whether the permission lets the app read a data type: granted, or limited when the type accepts a limited
    /// grant. Not reported: `unreported_lets` decides (consent alone when the layer is off).
    pub fn lets(&self, permission: u16, accepts_limited: bool, unreported_lets: bool) -> bool {
        match self.state(permission) {
            Some(PermissionState::Granted) => true,
            Some(PermissionState::Limited) => accepts_limited,
            Some(_) => false,
            None => unreported_lets,
        }
    }

    /// Whether the user (or the device) said no: denied, denied permanently or restricted.
    pub fn refused(&self, permission: u16) -> bool {
        matches!(
            self.state(permission),
            Some(PermissionState::Denied | PermissionState::DeniedPermanently | PermissionState::Restricted)
        )
    }

    /// What the app may do next about a permission that blocks a data type.
    pub fn next(&self, permission: u16, now_ms: i64, cooldown_ms: i64) -> OsNext {
        match self.states.get(permission as usize).copied().flatten() {
            Some(Reported { state: PermissionState::Denied, since_ms }) if now_ms - since_ms < cooldown_ms => {
                OsNext::WaitUntil(since_ms + cooldown_ms)
            }
            Some(Reported { state: PermissionState::DeniedPermanently, .. }) => OsNext::OpenSettings,
            Some(Reported { state: PermissionState::Restricted, .. }) => OsNext::Never,
            _ => OsNext::Request,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreported_states_follow_the_layer_and_limited_grants_follow_the_type() {
        let mut os = OsPermissions::new(2);
        assert!(os.lets(0, false, true) && !os.lets(0, false, false));
        os.states[0] = Some(Reported { state: PermissionState::Limited, since_ms: 0 });
        assert!(os.lets(0, true, false) && !os.lets(0, false, true));
        os.states[1] = Some(Reported { state: PermissionState::Denied, since_ms: 1_000 });
        assert!(os.refused(1) && !os.refused(0));
        assert_eq!(os.next(1, 2_000, 10_000), OsNext::WaitUntil(11_000));
        assert_eq!(os.next(1, 11_000, 10_000), OsNext::Request);
        os.states[1] = Some(Reported { state: PermissionState::DeniedPermanently, since_ms: 1_000 });
        assert_eq!(os.next(1, 99_000, 10_000), OsNext::OpenSettings);
    }
}

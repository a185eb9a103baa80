//! The lint rules that come from the operating-system layer (platform table, `platform/os-permissions.json`):
//! CK030, a purpose needing an OS permission whose description (the explanation shown with the system dialog) does
//! not say what it is used for; CK031, the advertising id collected by a purpose that is not `tracking` (iOS gives
//! the IDFA only after the App Tracking Transparency opt-in, which is asked for tracking).

use crate::manifest::Manifest;
use crate::rules::PlatformTable;

/// Pushes the diagnostics of this file: `(code, path, message, fix)`.
pub(super) fn check(m: &Manifest, push: &mut dyn FnMut(&str, String, String, String)) {
    let table = PlatformTable::get();
    for (i, p) in m.purposes.iter().enumerate() {
        let description = p.description.as_deref().unwrap_or("").to_lowercase();
        let mut explained: Vec<&str> = Vec::new();
        for (j, d) in p.data_types.iter().enumerate() {
            let Some(guard) = table.guard(d) else { continue };
            if guard.permission == table.tracking_permission && !p.tracking {
                push(
                    "CK031",
                    format!("purposes[{i}].data_types[{j}]"),
                    format!(
                        "purpose \"{}\" collects \"{d}\" but is not marked tracking: the advertising id is only available \
                         after the tracking opt-in (iOS App Tracking Transparency), which is asked for tracking purposes",
                        p.id
                    ),
                    "set \"tracking\": true (and \"basis\": \"consent\"), or collect another identifier".to_string(),
                );
            }
            let Some(h) = table.handle(&guard.permission) else { continue };
            let permission = &table.permissions[h as usize];
            if explained.contains(&permission.id.as_str()) || description.is_empty() {
                continue; // one diagnostic per permission; an empty description is CK011
            }
            explained.push(&permission.id);
            if !permission.explain_words.iter().any(|w| description.contains(w.as_str())) {
                push(
                    "CK030",
                    format!("purposes[{i}].description"),
                    format!(
                        "purpose \"{}\" needs the {} permission (for \"{d}\") but its description, shown with the \
                         system dialog, does not say so",
                        p.id, permission.id
                    ),
                    format!(
                        "say in the description what the app uses the {} permission for (e.g. mention: {})",
                        permission.id,
                        permission.explain_words.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }
}

//! Identifiers and literals for the generated code.

use std::collections::HashMap;

use super::CodegenError;

/// Splits an id (`a-z 0-9 _ . -`) into words.
fn words(id: &str) -> impl Iterator<Item = &str> {
    id.split(['_', '.', '-']).filter(|w| !w.is_empty())
}

/// `live_location` → `LIVE_LOCATION`.
pub fn upper_snake(id: &str) -> String {
    words(id).map(str::to_ascii_uppercase).collect::<Vec<_>>().join("_")
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `live_location` → `LiveLocation`.
pub fn upper_camel(id: &str) -> String {
    words(id).map(capitalise).collect()
}

/// `live_location` → `liveLocation`.
pub fn lower_camel(id: &str) -> String {
    let mut out = String::new();
    for (i, w) in words(id).enumerate() {
        if i == 0 {
            out.push_str(w);
        } else {
            out.push_str(&capitalise(w));
        }
    }
    out
}

/// Makes an identifier valid: never starts with a digit, never empty.
pub fn not_leading_digit(ident: String) -> String {
    if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{ident}")
    } else {
        ident
    }
}

/// Checks that no two ids of a kind map to one identifier.
pub fn check_unique(kind: &str, lang: &'static str, pairs: &[(String, String)]) -> Result<(), CodegenError> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (id, ident) in pairs {
        if let Some(other) = seen.insert(ident, id) {
            return Err(CodegenError::NameClash {
                kind: kind.to_string(),
                a: other.to_string(),
                b: id.clone(),
                ident: ident.clone(),
                lang,
            });
        }
    }
    Ok(())
}

/// Whether `s` is an ASCII identifier (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A string literal body for Kotlin (`\`, `"`, `$` and control characters escaped).
pub fn kotlin_string(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A string literal body for Swift (`\`, `"` and control characters escaped).
pub fn swift_string(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Doc comment text on one line, safe inside `/** */` and `///`.
pub fn doc_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace("*/", "* /").replace("/*", "/ *")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_ids() {
        assert_eq!(upper_snake("live_location"), "LIVE_LOCATION");
        assert_eq!(upper_snake("a.b-c"), "A_B_C");
        assert_eq!(upper_camel("live_location"), "LiveLocation");
        assert_eq!(lower_camel("live_location"), "liveLocation");
        assert_eq!(lower_camel("ride"), "ride");
        assert_eq!(not_leading_digit("3d".into()), "_3d");
    }

    #[test]
    fn escapes_literals() {
        assert_eq!(kotlin_string("a\"$b\\"), "a\\\"\\$b\\\\");
        assert_eq!(swift_string("a\"\\(x)"), "a\\\"\\\\(x)");
        assert_eq!(doc_line("a */ b\n c"), "a * / b c");
    }
}

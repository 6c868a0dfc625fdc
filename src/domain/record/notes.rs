//! Diagnostics lines kept in the records: capped, since page text can be anything.

use crate::domain::messages::PageFacts;

/// Longest diagnostics line kept (page text can be anything, of any length).
pub const MAX_NOTE_CHARS: usize = 300;

pub fn cap_note(line: &str) -> String {
    match line.char_indices().nth(MAX_NOTE_CHARS) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

/// Facts that can be kept for diagnostics: raw strings, capped.
pub fn raw_notes(facts: &PageFacts) -> Vec<String> {
    let cap = |s: &str| -> String {
        let t: String = s.chars().take(80).collect();
        if t.len() < s.len() {
            format!("{t}…")
        } else {
            t
        }
    };
    facts.price.iter().take(3).map(|p| format!("price text: {}", cap(p))).collect()
}

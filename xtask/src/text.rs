//! Text helpers for the xtask's messages.

/// `text` cut after `max_chars` characters (not bytes) and followed by `marker`; whole when not longer.
pub(crate) fn truncate(text: &str, max_chars: usize, marker: &str) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}{marker}", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn cuts_by_characters_not_bytes() {
        assert_eq!(truncate("abcdef", 3, "..."), "abc...");
        assert_eq!(truncate("abc", 3, "..."), "abc");
        // Two- and three-byte characters: a cut by bytes would split one (a panic) or cut too early.
        assert_eq!(truncate("ééééé", 3, "..."), "ééé...");
        assert_eq!(truncate("日本語テキスト", 2, " (cut)"), "日本 (cut)");
        assert_eq!(truncate("éé", 3, "..."), "éé");
        assert_eq!(truncate("", 0, "..."), "");
    }
}

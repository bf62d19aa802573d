//! A header's documentation comment as plain text for `ffic.doc`: the
//! comment markers (`/**`, `/*`, `*/`, a leading `*` on each line, `//`,
//! `///`) removed, trailing spaces and blank lines at either end dropped,
//! the lines' common indentation removed.

/// The text of the comment `raw`, as written in the header; `None` when
/// nothing is left.
pub fn text(raw: &str) -> Option<String> {
    let lines: Vec<&str> = raw
        .lines()
        .map(|line| {
            // Indentation before a marker goes; before text it is kept.
            let trimmed = line.trim_start();
            let line = if trimmed.starts_with(['/', '*']) {
                trimmed
            } else {
                line
            };
            let line = line
                .strip_prefix("/**")
                .or_else(|| line.strip_prefix("/*!"))
                .or_else(|| line.strip_prefix("/*"))
                .or_else(|| line.strip_prefix("///"))
                .or_else(|| line.strip_prefix("//!"))
                .or_else(|| line.strip_prefix("//"))
                .unwrap_or(line);
            let line = line.strip_suffix("*/").unwrap_or(line);
            // A leading `*` continues a block comment, unless it is all the
            // line holds after `/**` was taken.
            let line = match line.strip_prefix('*') {
                Some(rest) if !rest.starts_with('/') => rest,
                _ => line,
            };
            line.trim_end()
        })
        .collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()?;
    let body: Vec<&str> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect();
    let first = body.iter().position(|l| !l.is_empty())?;
    let last = body.iter().rposition(|l| !l.is_empty())?;
    Some(body[first..=last].join("\n"))
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn markers_and_indentation_go() {
        assert_eq!(
            text("/**\n * Adds two numbers.\n *\n *   Exactly.\n */").as_deref(),
            Some("Adds two numbers.\n\n  Exactly.")
        );
        assert_eq!(text("/* one line */").as_deref(), Some("one line"));
        assert_eq!(text("/// a\n/// b").as_deref(), Some("a\nb"));
        assert_eq!(text("/*  */"), None);
        assert_eq!(
            text("/*\n     Indented\n       more\n*/").as_deref(),
            Some("Indented\n  more")
        );
    }
}

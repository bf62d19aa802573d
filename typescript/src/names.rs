//! Spelling names and text safely in generated TypeScript and JavaScript.

use ffic_schema::{is_plain_identifier, quoted};

/// A property key: bare when it is an identifier, else a string literal.
pub fn key(name: &str) -> String {
    if is_plain_identifier(name) {
        name.to_owned()
    } else {
        quoted(name)
    }
}

/// Text made safe inside a `/** ... */` comment: no early `*/`.
pub fn comment_text(text: &str) -> String {
    text.replace("*/", "*\\/")
}

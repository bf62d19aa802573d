//! A located problem in a descriptor file, and its human and JSON renderings.

use crate::locate::Position;
use crate::path::{PathSegment, json_path_of, pointer_of};
use serde::Serialize;
use std::fmt::Write;

/// How bad a diagnostic is: errors make a descriptor invalid, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The descriptor cannot be used (stock Deno rejects it, or it cannot work).
    Error,
    /// Stock Deno accepts it, but it is probably not what was meant.
    Warning,
}

/// A stable identifier for each kind of diagnostic (what tools and tests match on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The file is larger than ffic reads.
    TooLarge,
    /// The file is not UTF-8.
    NotUtf8,
    /// The file is not JSON.
    InvalidJson,
    /// Nesting deeper than the parser follows.
    TooDeep,
    /// A value of the wrong JSON type.
    WrongType,
    /// A string that names no native type.
    UnknownType,
    /// A required field is absent.
    MissingField,
    /// A field that neither Deno nor ffic knows.
    UnknownField,
    /// The same key twice in one object.
    DuplicateKey,
    /// `void` where a value is needed.
    VoidNotAllowed,
    /// A struct with no fields.
    EmptyStruct,
    /// A static whose type cannot be read as a static.
    UnsupportedStatic,
    /// A native symbol name that is empty or holds a NUL byte.
    InvalidSymbolName,
    /// A native symbol name no C toolchain exports.
    UnusualSymbolName,
    /// Listing stopped; the file has more problems than are shown.
    TooManyDiagnostics,
    /// `ffic.parameterNames` that do not fit the parameters.
    InvalidParameterNames,
    /// An `ffic.parameters` or `ffic.result` type over a declared type
    /// that is not the one stock Deno uses for it.
    InvalidExtensionType,
    /// A variadic call shape that cannot be a symbol of its own.
    InvalidVariadic,
    /// More parameters than ffic compiles.
    TooManyParameters,
    /// A struct by value larger than ffic passes.
    StructTooLarge,
    /// Anything else the schema rejects.
    SchemaViolation,
}

/// Which text position locates a diagnostic: where its value starts, or (for a
/// member that should not be there) where its key starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Anchor {
    #[default]
    Value,
    Key,
}

/// One problem, with where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable kind.
    pub code: Code,
    /// Where in the JSON document.
    #[serde(skip)]
    pub path: Vec<PathSegment>,
    /// Where in the text, when known.
    #[serde(flatten)]
    pub position: Option<Position>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What was found there, as JSON or a description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    /// What would be accepted there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// A suggestion, such as the field or type that was probably meant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// What `position` is taken from once the text is scanned.
    #[serde(skip)]
    pub(crate) anchor: Anchor,
}

impl Diagnostic {
    /// A diagnostic at `path` with no position, found, expected or help yet.
    pub fn new(
        severity: Severity,
        code: Code,
        path: Vec<PathSegment>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            path,
            position: None,
            message: message.into(),
            found: None,
            expected: None,
            help: None,
            anchor: Anchor::Value,
        }
    }

    /// Locates the diagnostic at its member's key rather than its value.
    pub(crate) fn at_key(mut self) -> Self {
        self.anchor = Anchor::Key;
        self
    }

    /// Sets what was found.
    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(found.into());
        self
    }

    /// Sets what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Sets the suggestion.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the position.
    pub fn at(mut self, position: Option<Position>) -> Self {
        self.position = position;
        self
    }

    /// The JSON Pointer of the place (`""` for the whole document).
    pub fn pointer(&self) -> String {
        pointer_of(&self.path)
    }

    /// The JSONPath-style place, e.g. `$.add.parameters[1]`.
    pub fn json_path(&self) -> String {
        json_path_of(&self.path)
    }

    /// The diagnostic as a JSON object (adds `path` and `pointer`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("a diagnostic always serializes");
        if let Some(object) = value.as_object_mut() {
            object.insert("path".into(), self.json_path().into());
            object.insert("pointer".into(), self.pointer().into());
        }
        value
    }

    /// Renders the diagnostic for a terminal: header, location, source line with a caret, notes.
    pub fn render(&self, file: &str, text: Option<&str>) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let code = serde_json::to_value(self.code).expect("a code always serializes");
        let mut out = format!(
            "{severity}[{}]: {}\n",
            code.as_str().unwrap_or_default(),
            self.message
        );
        let place = match self.position {
            Some(p) => format!("{file}:{}:{}", p.line, p.column),
            None => file.to_owned(),
        };
        let _ = writeln!(out, "  --> {place} at {}", self.json_path());
        if let (Some(p), Some(text)) = (self.position, text)
            && let Some(line) = text.lines().nth((p.line as usize).saturating_sub(1))
        {
            let number = p.line.to_string();
            let gutter = " ".repeat(number.len());
            let (line, caret_at) = window(line, (p.column as usize).saturating_sub(1));
            let caret_pad: String = line
                .chars()
                .take(caret_at)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, " {gutter} |");
            let _ = writeln!(out, " {number} | {line}");
            let _ = writeln!(out, " {gutter} | {caret_pad}^");
        }
        for (label, value) in [
            ("found", &self.found),
            ("expected", &self.expected),
            ("help", &self.help),
        ] {
            if let Some(value) = value {
                let _ = writeln!(out, "   = {label}: {value}");
            }
        }
        out
    }
}

/// Width of source shown around a caret; longer lines are cut to it.
const SHOWN_COLUMNS: usize = 100;

/// The part of `line` worth showing around character `column` (0-based), and
/// where the caret goes in it.
fn window(line: &str, column: usize) -> (String, usize) {
    let count = line.chars().count();
    if count <= SHOWN_COLUMNS {
        return (line.to_owned(), column);
    }
    let start = column
        .saturating_sub(SHOWN_COLUMNS / 2)
        .min(count - SHOWN_COLUMNS);
    let mut shown: String = line.chars().skip(start).take(SHOWN_COLUMNS).collect();
    let mut caret = column - start;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if start + SHOWN_COLUMNS < count {
        shown.push('…');
    }
    (shown, caret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_source_line_and_notes() {
        let text = "{\n  \"f\": {\"parameters\": [\"int32\"], \"result\": \"void\"}\n}\n";
        let d = Diagnostic::new(
            Severity::Error,
            Code::UnknownType,
            vec![
                PathSegment::Key("f".into()),
                PathSegment::Key("parameters".into()),
                PathSegment::Index(0),
            ],
            "unknown native type \"int32\"",
        )
        .at(Some(Position {
            line: 2,
            column: 23,
        }))
        .help("did you mean \"i32\"?");
        let shown = d.render("s.json", Some(text));
        assert_eq!(
            shown,
            "error[unknown-type]: unknown native type \"int32\"\n\
             \x20 --> s.json:2:23 at $.f.parameters[0]\n\
             \x20  |\n\
             \x202 |   \"f\": {\"parameters\": [\"int32\"], \"result\": \"void\"}\n\
             \x20  |                       ^\n\
             \x20  = help: did you mean \"i32\"?\n"
        );
        let long = format!("{}\"x\"{}", " ".repeat(300), " ".repeat(300));
        let shown = Diagnostic {
            position: Some(Position {
                line: 1,
                column: 301,
            }),
            ..d.clone()
        }
        .render("s.json", Some(&long));
        let source_line = shown.lines().nth(3).expect("source line");
        let caret_line = shown.lines().nth(4).expect("caret line");
        assert!(source_line.chars().count() < 120, "{shown}");
        assert_eq!(
            source_line.chars().position(|c| c == '"'),
            caret_line.chars().position(|c| c == '^')
        );

        let json = d.to_json();
        assert_eq!(json["pointer"], "/f/parameters/0");
        assert_eq!(json["line"], 2);
        assert_eq!(json["column"], 23);
        assert_eq!(json["code"], "unknown-type");
        assert_eq!(json["severity"], "error");
    }
}

//! From a descriptor file's bytes to a verdict: parse, locate, validate against
//! the schema, apply the semantic rules and, when nothing is wrong, normalise.

use crate::diagnostic::{Anchor, Code, Diagnostic, Severity};
use crate::ir::Library;
use crate::layout::Target;
use crate::limits::limit_diagnostics;
use crate::locate::{Position, SourceMap};
use crate::schema_check::{MAX_DIAGNOSTICS, schema_diagnostics};
use crate::semantic::{duplicate_warnings, semantic_diagnostics};
use crate::types::Descriptor;
use serde_json::Value;
use std::collections::HashSet;

/// The largest descriptor file ffic reads: 40 times a 1000-symbol descriptor
/// (~100 KiB), and small enough that parsing hostile input stays well under a
/// gigabyte (serde_json spends ~150 bytes per nested array).
pub const MAX_DESCRIPTOR_BYTES: usize = 4 << 20;

/// The outcome of checking one descriptor.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every problem found, in text order.
    pub diagnostics: Vec<Diagnostic>,
    /// The typed descriptor, when there are no errors.
    pub descriptor: Option<Descriptor>,
    /// The normalised library, when there are no errors.
    pub library: Option<Library>,
}

impl Report {
    /// Number of diagnostics of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// True when the descriptor can be used.
    pub fn is_valid(&self) -> bool {
        self.library.is_some()
    }

    fn rejected(diagnostic: Diagnostic) -> Report {
        Report {
            diagnostics: vec![diagnostic],
            descriptor: None,
            library: None,
        }
    }
}

/// Builds what [`check`] needs once per process (the JSON Schema
/// validators, about 3 ms), so that a host can do it on another thread
/// while it starts, ahead of its first check.
pub fn prepare() {
    crate::json_schema::validators();
}

/// Checks a descriptor file's bytes and, if valid, normalises it for `target`.
pub fn check(bytes: &[u8], target: Target) -> Report {
    if bytes.len() > MAX_DESCRIPTOR_BYTES {
        return Report::rejected(Diagnostic::new(
            Severity::Error,
            Code::TooLarge,
            Vec::new(),
            format!("the file is larger than {MAX_DESCRIPTOR_BYTES} bytes, the most ffic reads"),
        ));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Report::rejected(
            Diagnostic::new(
                Severity::Error,
                Code::NotUtf8,
                Vec::new(),
                "the file is UTF-16 text",
            )
            .at(Some(Position { line: 1, column: 1 }))
            .found("a UTF-16 byte-order mark")
            .expected("UTF-8 text (JSON files are UTF-8)")
            .help("save the file as UTF-8"),
        );
    }
    // Editors on some systems start UTF-8 files with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            return Report::rejected(
                Diagnostic::new(
                    Severity::Error,
                    Code::NotUtf8,
                    Vec::new(),
                    "the file is not valid UTF-8",
                )
                .at(Some(end_of(valid)))
                .found(format!("byte 0x{:02x}", bytes[e.valid_up_to()]))
                .expected("UTF-8 text (JSON files are UTF-8)"),
            );
        }
    };
    // Only the four characters JSON counts as whitespace.
    if text.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
        return Report::rejected(
            Diagnostic::new(
                Severity::Error,
                Code::InvalidJson,
                Vec::new(),
                "the file is empty",
            )
            .at(Some(end_of(text)))
            .expected("a JSON object of symbols")
            .help("a descriptor with no symbols is {}"),
        );
    }
    let document: Value = match serde_json::from_str(text) {
        Ok(document) => document,
        Err(e) => return Report::rejected(json_error(&e, text)),
    };
    let mut diagnostics = Vec::new();
    let schema_errors = schema_diagnostics(&document, &mut diagnostics);
    let semantic_errors = semantic_diagnostics(&document, &mut diagnostics, MAX_DIAGNOSTICS);
    let has_errors = schema_errors || semantic_errors;
    let listed_all = diagnostics.len() < MAX_DIAGNOSTICS;
    locate(text, &document, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.position, d.severity));
    if !listed_all {
        diagnostics.push(
            Diagnostic::new(
                Severity::Warning,
                Code::TooManyDiagnostics,
                Vec::new(),
                format!("listing stopped after {MAX_DIAGNOSTICS} problems; the file may have more"),
            )
            .help("fix these and check again"),
        );
    }

    let descriptor = match document.as_object() {
        Some(object) if !has_errors => match Descriptor::from_object(object) {
            Ok(descriptor) => Some(descriptor),
            Err(e) => {
                // The schema and rules should have caught anything serde rejects.
                diagnostics.push(Diagnostic::new(
                    Severity::Error,
                    Code::SchemaViolation,
                    Vec::new(),
                    format!("the descriptor passed validation but could not be read: {e}"),
                ));
                None
            }
        },
        _ => None,
    };
    let library = descriptor
        .as_ref()
        .map(|d| Library::from_descriptor(d, target));
    let exceeded = library.as_ref().map(limit_diagnostics).unwrap_or_default();
    if !exceeded.is_empty() {
        let start = diagnostics.len();
        diagnostics.extend(exceeded.into_iter().take(MAX_DIAGNOSTICS));
        place(text, &mut diagnostics[start..], 0);
        diagnostics.sort_by_key(|d| (d.position, d.severity));
        return Report {
            diagnostics,
            descriptor: None,
            library: None,
        };
    }
    Report {
        diagnostics,
        descriptor,
        library,
    }
}

/// Gives each diagnostic its text position, with one scan that records only
/// the places asked for, and adds a warning for each repeated key.
fn locate(text: &str, document: &Value, diagnostics: &mut Vec<Diagnostic>) {
    let room = MAX_DIAGNOSTICS.saturating_sub(diagnostics.len());
    let map = place(text, diagnostics, room);
    diagnostics.extend(duplicate_warnings(document, map.duplicates()));
}

/// Gives each diagnostic its text position; the scan also records up to
/// `room` repeated keys.
fn place(text: &str, diagnostics: &mut [Diagnostic], room: usize) -> SourceMap {
    let wanted: HashSet<String> = diagnostics.iter().map(Diagnostic::pointer).collect();
    let map = SourceMap::build(text, &wanted, room);
    for d in diagnostics.iter_mut() {
        let pointer = d.pointer();
        d.position = match d.anchor {
            Anchor::Value => map.value(&pointer),
            Anchor::Key => map.key(&pointer).or_else(|| map.value(&pointer)),
        };
    }
    map
}

/// The position just after `text`.
fn end_of(text: &str) -> Position {
    let line = text.matches('\n').count() as u32 + 1;
    let last = text.rsplit('\n').next().unwrap_or_default();
    Position {
        line,
        column: last.chars().count() as u32 + 1,
    }
}

fn json_error(e: &serde_json::Error, text: &str) -> Diagnostic {
    // serde_json counts columns in bytes from 1; find the byte it points at.
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let mut offset = (line_start + e.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let full = e.to_string();
    let what = full.split(" at line ").next().unwrap_or(&full);
    let rest = &text[offset..];
    let (code, message, help) = if what.contains("recursion limit exceeded") {
        (
            Code::TooDeep,
            "the JSON nests more than 127 levels deep".to_owned(),
            Some("Deno itself allows struct types about 62 levels deep"),
        )
    } else if rest.starts_with("//") || rest.starts_with("/*") {
        (
            Code::InvalidJson,
            "JSON has no comments".to_owned(),
            Some("document a symbol in its \"ffic\" object: \"ffic\": {\"doc\": \"...\"}"),
        )
    } else if rest.starts_with('\'') {
        (
            Code::InvalidJson,
            "the file is not valid JSON: strings need double quotes".to_owned(),
            Some("write \"i32\", not 'i32'"),
        )
    } else if what.contains("trailing comma") {
        // Point at the comma itself, not at the bracket after it.
        let before = text[..offset].trim_end();
        if before.ends_with(',') {
            offset = before.len() - 1;
        }
        (
            Code::InvalidJson,
            format!("the file is not valid JSON: {what}"),
            Some("JSON allows no comma after the last item"),
        )
    } else if e.is_eof() {
        (
            Code::InvalidJson,
            format!("the file is not valid JSON: it ends early ({what})"),
            None,
        )
    } else {
        let help = what
            .contains("key must be a string")
            .then_some("JSON keys need double quotes");
        (
            Code::InvalidJson,
            format!("the file is not valid JSON: {what}"),
            help,
        )
    };
    let d = Diagnostic::new(Severity::Error, code, Vec::new(), message)
        .at(Some(end_of(&text[..offset])));
    match help {
        Some(help) => d.help(help),
        None => d,
    }
}

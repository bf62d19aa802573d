//! `ffic check`: validates descriptor files and prints their diagnostics.

use crate::Format;
use ffic_schema::{Report, Severity, Target, check};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit status for a file that could not be read (or bad usage).
pub const EXIT_USAGE: u8 = 2;

/// Checks every file; 0 all valid, 1 any invalid, 2 any unreadable.
pub fn run(files: &[PathBuf], format: Format, deny_warnings: bool) -> ExitCode {
    let mut any_invalid = false;
    let mut any_unreadable = false;
    let mut results = Vec::new();
    for path in files {
        let shown = path.display().to_string();
        let bytes = match read_limited(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                any_unreadable = true;
                match format {
                    Format::Human => eprintln!("error: cannot read {shown}: {e}"),
                    Format::Json => results.push(json!({ "file": shown, "error": e.to_string() })),
                }
                continue;
            }
        };
        let report = check(&bytes, Target::host());
        let valid = report.is_valid() && !(deny_warnings && report.count(Severity::Warning) > 0);
        any_invalid |= !valid;
        match format {
            Format::Human => print!("{}", human(&shown, &bytes, &report, valid)),
            Format::Json => results.push(json!({
                "file": shown,
                "valid": valid,
                "digest": report.library.as_ref().map(|l| l.digest().to_string()),
                "symbols": report.library.as_ref().map(|l| l.symbols.len()),
                "diagnostics": report.diagnostics.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
            })),
        }
    }
    if format == Format::Json {
        let document = json!({ "files": results });
        println!(
            "{}",
            serde_json::to_string_pretty(&document).unwrap_or_default()
        );
    }
    if any_unreadable {
        ExitCode::from(EXIT_USAGE)
    } else if any_invalid {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads a descriptor, refusing to read far past the size any descriptor
/// may have, so a wrong path (a disk image, /dev/zero) does not exhaust memory.
pub fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    read_at_most(path, ffic_schema::MAX_DESCRIPTOR_BYTES as u64 + 1)
}

/// The first `limit` bytes of a regular file. Anything else (a FIFO, a
/// device, a directory) is refused: opened non-blocking, so that even a
/// FIFO with no writer cannot hang the command before it is refused.
pub fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a directory"
        } else if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "a device"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{what}, not a regular file"),
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

pub fn human(file: &str, bytes: &[u8], report: &Report, valid: bool) -> String {
    let text = std::str::from_utf8(bytes).ok();
    let mut out = String::new();
    for d in &report.diagnostics {
        out.push_str(&d.render(file, text));
        out.push('\n');
    }
    let (errors, warnings) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
    );
    let summary = match &report.library {
        Some(library) if valid => format!(
            "ok: {file}: {}, digest {}{}\n",
            plural(library.symbols.len(), "symbol", ""),
            library.digest(),
            plural(warnings, "warning", ", "),
        ),
        _ => format!(
            "invalid: {file}: {}{}\n",
            plural(errors, "error", ""),
            plural(warnings, "warning", if errors > 0 { ", " } else { "" }),
        ),
    };
    out.push_str(&summary);
    out
}

/// "N words" after `separator`; nothing for zero, except with no separator ("0 symbols").
fn plural(n: usize, word: &str, separator: &str) -> String {
    match n {
        0 if separator.is_empty() => format!("0 {word}s"),
        0 => String::new(),
        1 => format!("{separator}1 {word}"),
        _ => format!("{separator}{n} {word}s"),
    }
}

//! `ffic inspect`: what an artifact holds and whether this host (and,
//! optionally, a descriptor) would accept it. Never executes anything.

use crate::Format;
use crate::check::{EXIT_USAGE, read_at_most, read_limited};
use ffic_compiler::artifact::format::{self, Artifact, EntryKind};
use ffic_loader::verify;
use ffic_schema::{Digest, Target};
use serde_json::{Value, json};
use std::path::Path;
use std::process::ExitCode;

/// The widest the name column gets: longer names (up to what a descriptor
/// allows) push the rest of their own line right instead.
const NAME_COLUMN: usize = 40;

/// Largest file `inspect` reads (artifacts hold at most 4 GiB of code; real
/// ones are kilobytes per symbol).
const MAX_ARTIFACT_BYTES: u64 = 1 << 30;

/// Inspects `file`; exit 0 when it would load here, 1 when rejected, 2 on I/O errors.
pub fn run(file: &Path, descriptor: Option<&Path>, output: Format) -> ExitCode {
    let shown = file.display().to_string();
    let bytes = match read_artifact(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {shown}: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let library = match descriptor.map(load_descriptor).transpose() {
        Ok(library) => library,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let artifact = match format::decode(&bytes) {
        Ok(a) => a,
        Err(e) => {
            match output {
                Format::Human => println!("{shown}: rejected: {e}"),
                Format::Json => {
                    print_json(&json!({ "file": shown, "valid": false, "error": e.to_string() }))
                }
            }
            return ExitCode::FAILURE;
        }
    };
    let host = verify::check_host(&artifact).err().map(|e| e.to_string());
    let matches = library.as_ref().map(|l| {
        verify::check_library(&artifact, l)
            .err()
            .map(|e| e.to_string())
    });
    let valid = host.is_none() && matches.as_ref().is_none_or(|m| m.is_none());
    match output {
        Format::Human => print!("{}", human(&shown, &artifact, &host, &matches, descriptor)),
        Format::Json => print_json(&document(&shown, &artifact, valid, &host, &matches)),
    }
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn read_artifact(file: &Path) -> std::io::Result<Vec<u8>> {
    let bytes = read_at_most(file, MAX_ARTIFACT_BYTES + 1)?;
    if bytes.len() as u64 > MAX_ARTIFACT_BYTES {
        return Err(std::io::Error::other("larger than 1 GiB: not an artifact"));
    }
    Ok(bytes)
}

fn load_descriptor(path: &Path) -> Result<ffic_schema::Library, String> {
    let bytes = read_limited(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let report = ffic_schema::check(&bytes, Target::host());
    let valid = report.is_valid();
    report.library.filter(|_| valid).ok_or_else(|| {
        format!(
            "{} is not a valid descriptor (see ffic check)",
            path.display()
        )
    })
}

fn human(
    shown: &str,
    a: &Artifact<'_>,
    host: &Option<String>,
    matches: &Option<Option<String>>,
    descriptor: Option<&Path>,
) -> String {
    let h = &a.header;
    let mut out = format!("{shown}\n");
    let rows = [
        ("format", h.format_version.to_string()),
        ("target", a.target.to_owned()),
        ("page size", h.page_size.to_string()),
        ("cpu features", format!("{:#x}", h.cpu_features)),
        ("compiler", a.compiler.to_owned()),
        ("digest", Digest(h.digest).to_string()),
        (
            "size",
            format!(
                "{} bytes; code {} bytes at {}; {} import slots ({} helpers)",
                h.file_len, h.code_len, h.code_offset, h.import_slots, h.helper_slots
            ),
        ),
        ("checksum", format!("ok ({:08x})", h.checksum)),
        (
            "this host",
            host.clone().unwrap_or_else(|| "compatible".into()),
        ),
    ];
    for (label, value) in rows {
        out.push_str(&format!("  {label:<13}{value}\n"));
    }
    if let (Some(result), Some(path)) = (matches, descriptor) {
        let verdict = result
            .clone()
            .unwrap_or_else(|| format!("matches {}", path.display()));
        out.push_str(&format!("  {:<13}{verdict}\n", "descriptor"));
    }
    out.push_str(&format!(
        "\n  {} entries, {} invoke trampolines\n",
        a.entries.len(),
        a.invokes.len()
    ));
    let width = a
        .entries
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(4)
        .clamp(4, NAME_COLUMN);
    out.push_str(&format!(
        "  {:<width$}  {:<6}  {:>5}  {:>6}  signature (native symbol)\n",
        "name", "kind", "fast", "invoke"
    ));
    for e in &a.entries {
        let kind = match e.kind {
            EntryKind::Function if e.nonblocking => "async",
            EntryKind::Function => "fn",
            EntryKind::Static => "static",
        };
        let fast = e.fast.map_or_else(|| "-".into(), |s| s.len.to_string());
        let invoke = e.invoke.map_or_else(|| "-".into(), |i| format!("#{i}"));
        let optional = if e.optional { ", optional" } else { "" };
        out.push_str(&format!(
            "  {:<width$}  {kind:<6}  {fast:>5}  {invoke:>6}  {} ({}{optional})\n",
            e.name, e.signature, e.native
        ));
    }
    out.push('\n');
    for (i, inv) in a.invokes.iter().enumerate() {
        out.push_str(&format!(
            "  invoke #{i:<4} {:>5} bytes  {}\n",
            inv.code.len, inv.signature
        ));
    }
    out
}

fn document(
    shown: &str,
    a: &Artifact<'_>,
    valid: bool,
    host: &Option<String>,
    matches: &Option<Option<String>>,
) -> Value {
    let h = &a.header;
    json!({
        "file": shown,
        "valid": valid,
        "header": {
            "formatVersion": h.format_version,
            "target": a.target,
            "pageSize": h.page_size,
            "cpuFeatures": h.cpu_features,
            "compiler": a.compiler,
            "digest": Digest(h.digest).to_string(),
            "fileSize": h.file_len,
            "codeOffset": h.code_offset,
            "codeSize": h.code_len,
            "importSlots": h.import_slots,
            "helperSlots": h.helper_slots,
            "checksum": format!("{:08x}", h.checksum),
        },
        "host": { "compatible": host.is_none(), "error": host },
        "descriptor": matches.as_ref().map(|m| json!({ "matches": m.is_none(), "error": m })),
        "entries": a.entries.iter().map(|e| json!({
            "name": e.name,
            "native": e.native,
            "kind": match e.kind { EntryKind::Function => "function", EntryKind::Static => "static" },
            "signature": e.signature,
            "optional": e.optional,
            "nonblocking": e.nonblocking,
            "importSlot": e.import_slot,
            "fast": e.fast.map(|s| json!({ "offset": s.offset, "size": s.len })),
            "invoke": e.invoke,
        })).collect::<Vec<_>>(),
        "invokes": a.invokes.iter().map(|i| json!({
            "signature": i.signature,
            "offset": i.code.offset,
            "size": i.code.len,
        })).collect::<Vec<_>>(),
    })
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

//! `ffic cache`: what the artifact cache holds (`list`, with sizes and last
//! use) and emptying it (`clean`). The cache is the one `ffic run` uses:
//! `$FFIC_CACHE_DIR`, else `$XDG_CACHE_HOME/ffic`, else `~/.cache/ffic`.

use crate::Format;
use crate::check::EXIT_USAGE;
use ffic_loader::Cache;
use ffic_loader::cache::{Entry, EntryKind};
use serde_json::json;
use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

/// The cache `ffic run` uses, or the usage error when there is none.
fn cache() -> Result<Cache, ExitCode> {
    Cache::from_env().ok_or_else(|| {
        eprintln!("error: no cache directory: set FFIC_CACHE_DIR, XDG_CACHE_HOME or HOME");
        ExitCode::from(EXIT_USAGE)
    })
}

/// Lists every file of the cache, least recently used first, with totals.
pub fn list(format: Format) -> ExitCode {
    let cache = match cache() {
        Ok(cache) => cache,
        Err(code) => return code,
    };
    let mut entries = match cache.entries() {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("error: cannot list {}: {e}", cache.dir().display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    entries.sort_by(|a, b| a.used.cmp(&b.used).then_with(|| a.path.cmp(&b.path)));
    match format {
        Format::Human => emit(&human(&cache, &entries, SystemTime::now())),
        Format::Json => {
            let files: Vec<_> = entries
                .iter()
                .map(|e| {
                    json!({
                        "path": e.path.display().to_string(),
                        "kind": kind_name(e.kind),
                        "bytes": e.bytes,
                        "usedUnixSeconds": unix_seconds(e.used),
                    })
                })
                .collect();
            let document = json!({
                "dir": cache.dir().display().to_string(),
                "limitBytes": cache.limit(),
                "totalBytes": entries.iter().map(|e| e.bytes).sum::<u64>(),
                "files": files,
            });
            emit(&(serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"));
        }
    }
    ExitCode::SUCCESS
}

/// Writes `text` to stdout; a reader that stopped reading (`| head`) is
/// not an error.
fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Removes every file ffic keeps in the cache and says how much went.
pub fn clean() -> ExitCode {
    let cache = match cache() {
        Ok(cache) => cache,
        Err(code) => return code,
    };
    match cache.clean() {
        Ok(removed) => {
            let bytes = removed.iter().map(|e| e.bytes).sum();
            println!(
                "removed {} files ({}) from {}",
                removed.len(),
                size(bytes),
                cache.dir().display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot clean {}: {e}", cache.dir().display());
            ExitCode::FAILURE
        }
    }
}

/// The human listing: a summary line per kind, then a line per file.
fn human(cache: &Cache, entries: &[Entry], now: SystemTime) -> String {
    let mut out = format!(
        "{}: {} of at most {} (every kind but unfinished writes)\n",
        cache.dir().display(),
        size(kept_bytes(entries)),
        size(cache.limit())
    );
    for kind in [
        EntryKind::Artifact,
        EntryKind::Transpiled,
        EntryKind::Compiled,
        EntryKind::Checked,
        EntryKind::Unfinished,
    ] {
        let of_kind: Vec<&Entry> = entries.iter().filter(|e| e.kind == kind).collect();
        if !of_kind.is_empty() {
            let bytes = of_kind.iter().map(|e| e.bytes).sum();
            let count = of_kind.len();
            out += &format!("  {count:>5} {:<11} {:>10}\n", kind_name(kind), size(bytes));
        }
    }
    for entry in entries {
        out += &format!(
            "{:<11} {:>10}  used {:>8}  {}\n",
            kind_name(entry.kind),
            size(entry.bytes),
            age(now, entry.used),
            entry.path.display()
        );
    }
    out
}

/// Bytes the limit applies to.
fn kept_bytes(entries: &[Entry]) -> u64 {
    entries
        .iter()
        .filter(|e| e.kind.evictable())
        .map(|e| e.bytes)
        .sum()
}

/// The name of a kind in listings.
fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Artifact => "artifact",
        EntryKind::Checked => "checked",
        EntryKind::Transpiled => "transpiled",
        EntryKind::Compiled => "compiled",
        EntryKind::Unfinished => "unfinished",
    }
}

/// `bytes` for people: B, KiB or MiB.
fn size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// How long before `now` `then` was: seconds, minutes, hours or days.
fn age(now: SystemTime, then: SystemTime) -> String {
    let s = now.duration_since(then).map_or(0, |d| d.as_secs());
    match s {
        0..60 => format!("{s}s ago"),
        60..3600 => format!("{}m ago", s / 60),
        3600..86_400 => format!("{}h ago", s / 3600),
        _ => format!("{}d ago", s / 86_400),
    }
}

/// Seconds since the Unix epoch (0 before it).
fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

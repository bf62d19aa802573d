//! `ffic compile`: validates a descriptor like `ffic check`, then writes its
//! trampoline artifact and TypeScript outputs, and says what it wrote and how
//! long it took.

use crate::Emit;
use crate::check::{EXIT_USAGE, human, read_limited};
use ffic_schema::{Severity, Target, check};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Compiles `file` into `DIR/NAME.{ffic,d.ts,js}` (those in `emit`).
pub fn run(file: &Path, out_dir: Option<&Path>, name: Option<&str>, emit: &[Emit]) -> ExitCode {
    let started = Instant::now();
    let shown = file.display().to_string();
    let bytes = match read_limited(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: cannot read {shown}: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let report = check(&bytes, Target::host());
    let Some(library) = report.library.as_ref().filter(|_| report.is_valid()) else {
        eprint!("{}", human(&shown, &bytes, &report, false));
        return ExitCode::FAILURE;
    };
    if report.count(Severity::Warning) > 0 {
        let text = std::str::from_utf8(&bytes).ok();
        for d in &report.diagnostics {
            eprintln!("{}", d.render(&shown, text));
        }
    }
    let name = name.map_or_else(|| default_name(file), str::to_owned);
    let dir = out_dir.map_or_else(|| descriptor_dir(file), Path::to_path_buf);
    let compiled = match emit
        .contains(&Emit::Artifact)
        .then(|| ffic_compiler::compile_artifact(library))
        .transpose()
    {
        Ok(compiled) => compiled,
        Err(e) => {
            eprintln!("error: cannot compile {shown}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // As tsc's --outDir does: the output directory is made when missing
    // (only once there is something to write into it).
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return ExitCode::from(EXIT_USAGE);
    }
    let mut written = Vec::new();
    if let Some(compiled) = compiled {
        let output = dir.join(format!("{name}.ffic"));
        if let Err(e) = ffic_compiler::write_atomically(&output, &compiled.bytes) {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
        written.push(format!(
            "{} ({} bytes: {} symbols, {} fast ({} re-entrant) and {} invoke trampolines, {} bytes of code)",
            output.display(),
            compiled.bytes.len(),
            library.symbols.len(),
            compiled.fast_count,
            compiled.reentrant_count,
            compiled.invoke_count,
            compiled.code_len,
        ));
    }
    let source = file
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let ts = ffic_typescript::generate(library, &name, &source);
    for (kind, extension, text) in [(Emit::Dts, "d.ts", &ts.dts), (Emit::Js, "js", &ts.js)] {
        if !emit.contains(&kind) {
            continue;
        }
        let output = dir.join(format!("{name}.{extension}"));
        if let Err(e) = ffic_compiler::write_atomically(&output, text.as_bytes()) {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
        written.push(output.display().to_string());
    }
    if emit.contains(&Emit::Js) {
        remember_text(&ts.text);
    }
    println!(
        "wrote {} in {:.1} ms",
        written.join(", "),
        started.elapsed().as_secs_f64() * 1e3
    );
    ExitCode::SUCCESS
}

/// Marks the text a generated module opens its library from as checked, in
/// the artifact cache `ffic run` uses, so that the module's first run reads
/// it without the full check (checked here first; a cache that cannot take
/// the marker is skipped, as at run time).
fn remember_text(text: &str) {
    let Some(cache) = ffic_loader::Cache::from_env() else {
        return;
    };
    let report = ffic_schema::check(text.as_bytes(), ffic_schema::Target::host());
    if let Some(library) = &report.library {
        ffic_loader::Checked::under(&cache).remember(text, library);
    }
}

/// The file stem, or for a file named `symbols.json` its directory's name
/// (`examples/libm/symbols.json` gives `libm`).
fn default_name(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map_or_else(|| "out".into(), |s| s.to_string_lossy().into_owned());
    if stem != "symbols" {
        return stem;
    }
    std::fs::canonicalize(file)
        .ok()
        .and_then(|p| {
            p.parent()?
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or(stem)
}

fn descriptor_dir(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

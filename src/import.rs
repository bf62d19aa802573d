//! `ffic import`: a descriptor from a C header (see ffic-import), checked
//! like any descriptor before it is written, with what was left out listed
//! as located warnings.

use crate::check::EXIT_USAGE;
use ffic_import::{ImportError, Options};
use ffic_schema::{Target, check};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Imports `options.header` into `out` (stdout when `None`).
pub fn run(options: &Options, out: Option<&Path>) -> ExitCode {
    let started = Instant::now();
    if !options.header.is_file() {
        eprintln!(
            "error: cannot read {}: not a file",
            options.header.display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let imported = match ffic_import::import(options) {
        Ok(imported) => imported,
        Err(e @ ImportError::Parse { .. }) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    for warning in &imported.warnings {
        eprintln!("{warning}");
    }
    // What import writes, check accepts: anything else is ffic's own bug.
    let report = check(imported.text.as_bytes(), Target::host());
    if !report.is_valid() {
        eprintln!("error: ffic import made a descriptor ffic check refuses (a bug in ffic):");
        for d in &report.diagnostics {
            eprintln!("{}", d.render("(imported)", Some(&imported.text)));
        }
        return ExitCode::FAILURE;
    }
    let written = match out {
        Some(path) => ffic_compiler::write_atomically(path, imported.text.as_bytes())
            .map_err(|e| e.to_string()),
        None => std::io::stdout()
            .lock()
            .write_all(imported.text.as_bytes())
            .map_err(|e| e.to_string()),
    };
    if let Err(e) = written {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    eprintln!(
        "imported {} functions, {} constants and {} structs ({} typedef names) from {} ({} left out) in {:.1} ms",
        imported.functions,
        imported.constants,
        imported.structs,
        imported.struct_aliases,
        options.header.display(),
        imported.warnings.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    ExitCode::SUCCESS
}

//! The `ffic` command line: parses arguments, runs a subcommand, and is the one
//! place where errors are reported to the user and turned into exit codes.

mod check;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Ahead-of-time compiler and loader for typed FFI bindings used from JavaScript.
#[derive(Parser)]
#[command(name = "ffic", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate descriptor files (Deno.dlopen symbols objects as JSON).
    #[command(after_help = "\
Exit status: 0 when every file is valid (warnings allowed), 1 when any is invalid,
2 on a usage or I/O error.

Examples:
  ffic check examples/libm/symbols.json
  ffic check --format json symbols/*.json
  ffic check --deny-warnings symbols.json")]
    Check {
        /// Descriptor files to check.
        #[arg(required = true, value_name = "SYMBOLS.json")]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the descriptor JSON Schema (reference it from a file's "$schema").
    #[command(after_help = "\
Examples:
  ffic schema > ffic.schema.json
  # then, in symbols.json: { \"$schema\": \"./ffic.schema.json\", ... }")]
    Schema,
}

/// How `check` prints its findings.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Located messages with the offending source line.
    Human,
    /// One JSON document with every file's diagnostics.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            files,
            format,
            deny_warnings,
        } => check::run(&files, format, deny_warnings),
        Command::Schema => {
            print!("{}", ffic_schema::json_schema::generate());
            ExitCode::SUCCESS
        }
    }
}

//! The `ffic` command line: parses arguments, runs a subcommand, and is the one
//! place where errors are reported to the user and turned into exit codes.

mod cache;
mod check;
mod compile;
mod import;
mod inspect;
#[cfg(feature = "v8")]
mod run;

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
    /// Compile a descriptor into a trampoline artifact (NAME.ffic).
    #[command(after_help = "\
Validates like `ffic check` (exit 1 when invalid), then writes DIR/NAME.ffic
(the trampoline artifact), DIR/NAME.d.ts (types for editors and tsc) and
DIR/NAME.js (the descriptor module; stock Deno runs it too), each atomically.
NAME defaults to the file's stem, or for a file named symbols.json to its
directory's name; DIR defaults to the descriptor's directory.

Examples:
  ffic compile examples/libm/symbols.json          # examples/libm/libm.{ffic,d.ts,js}
  ffic compile -o build --name m symbols.json      # build/m.{ffic,d.ts,js}
  ffic compile --emit dts,js symbols.json          # TypeScript only")]
    Compile {
        /// The descriptor.
        #[arg(value_name = "SYMBOLS.json")]
        file: PathBuf,
        /// Output directory.
        #[arg(short, long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Output name, without extension.
        #[arg(long)]
        name: Option<String>,
        /// Outputs to write (comma-separated).
        #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Emit::Artifact, Emit::Dts, Emit::Js])]
        emit: Vec<Emit>,
    },
    /// Show an artifact's header, entries and verification result.
    #[command(after_help = "\
Exit status: 0 when this host would load the artifact (and, with --descriptor,
it matches that descriptor), 1 when it would be rejected, 2 on an I/O error.

Examples:
  ffic inspect examples/libm/libm.ffic
  ffic inspect --descriptor examples/libm/symbols.json --format json examples/libm/libm.ffic")]
    Inspect {
        /// The artifact.
        #[arg(value_name = "FILE.ffic")]
        file: PathBuf,
        /// Also check it against this descriptor.
        #[arg(long, value_name = "SYMBOLS.json")]
        descriptor: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Make a descriptor from a C header: its functions, constants and structs (needs libclang).
    #[command(after_help = "\
Parses HEADER with libclang (Debian: libclang-dev; LIBCLANG_PATH names another)
and writes a descriptor of the functions it declares itself, in header order,
with their documentation comments and parameter names, and its enum and macro
constants and its structs (as typed views in the generated module). What a
descriptor cannot say (unions or bit-fields by value, long double, static
functions, ...) is left out with a warning naming the reason. The output passes
`ffic check`; the same header gives the same bytes.

Exit status: 0 when written (warnings allowed), 1 when the header does not
compile (or, a bug, when ffic check refuses the output), 2 on a usage or I/O
error or without libclang.

Examples:
  ffic import /usr/include/zlib.h -o zlib.json
  ffic import -I include -D API= --function 'sqlite3_.*' sqlite3.h -o sqlite.json")]
    Import {
        /// The C header.
        #[arg(value_name = "HEADER.h")]
        header: PathBuf,
        /// Search DIR for included headers (repeatable).
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// Define a macro before the header, NAME or NAME=VALUE (repeatable).
        #[arg(short = 'D', value_name = "NAME[=VALUE]")]
        define: Vec<String>,
        /// Import only functions whose whole name matches REGEX (repeatable).
        #[arg(long, value_name = "REGEX")]
        function: Vec<String>,
        /// Keep only named structs whose whole name matches REGEX (repeatable).
        #[arg(long = "struct", value_name = "REGEX")]
        structs: Vec<String>,
        /// The native library the generated module's open() opens by default.
        #[arg(long, value_name = "NAME")]
        library: Option<String>,
        /// Write the descriptor here (default: stdout).
        #[arg(short, long, value_name = "SYMBOLS.json")]
        output: Option<PathBuf>,
    },
    /// See or empty the artifact cache (`ffic run`'s compiled descriptors).
    #[command(after_help = "\
The cache is $FFIC_CACHE_DIR, else $XDG_CACHE_HOME/ffic, else ~/.cache/ffic.
It holds artifacts, markers of descriptor texts that passed the check (with
their checked libraries), transpiled TypeScript and V8's compiled code of
scripts and modules. Each artifact stored keeps them within
$FFIC_CACHE_LIMIT_MB (default 256) by removing the least recently used first.

Examples:
  ffic cache list
  ffic cache list --format json
  ffic cache clean")]
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
    /// Run a JavaScript or TypeScript module in V8 with Deno's globals (`ffic run --help`).
    #[cfg(feature = "v8")]
    #[command(disable_help_flag = true)]
    Run {
        /// Deno's flags, the script and its arguments, read as `deno run` reads them.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<String>,
    },
    /// Run Deno.test tests, as `deno test` does (`ffic test --help`).
    #[cfg(feature = "v8")]
    #[command(disable_help_flag = true)]
    Test {
        /// Deno's flags, the test files or directories, and after `--` the tests' arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<String>,
    },
}

/// What `ffic cache` does.
#[derive(Subcommand)]
enum CacheAction {
    /// List every file, least recently used first, with sizes and totals.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Remove every file ffic keeps there.
    Clean,
}

/// What `compile` writes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
enum Emit {
    /// NAME.ffic, the trampoline artifact.
    Artifact,
    /// NAME.d.ts, TypeScript declarations.
    Dts,
    /// NAME.js, the descriptor module.
    Js,
}

/// How `check` and `inspect` print their findings.
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
        Command::Compile {
            file,
            out_dir,
            name,
            emit,
        } => compile::run(&file, out_dir.as_deref(), name.as_deref(), &emit),
        Command::Inspect {
            file,
            descriptor,
            format,
        } => inspect::run(&file, descriptor.as_deref(), format),
        Command::Import {
            header,
            include,
            define,
            function,
            structs,
            library,
            output,
        } => {
            let options = ffic_import::Options {
                header,
                include_dirs: include,
                defines: define,
                functions: function,
                structs,
                library,
            };
            import::run(&options, output.as_deref())
        }
        Command::Cache { action } => match action {
            CacheAction::List { format } => cache::list(format),
            CacheAction::Clean => cache::clean(),
        },
        #[cfg(feature = "v8")]
        Command::Run { args } => host(run::flags::parse(&args), run::flags::HELP),
        #[cfg(feature = "v8")]
        Command::Test { args } => host(run::flags::parse_test(&args), run::flags::TEST_HELP),
    }
}

/// Runs `ffic run` or `ffic test` as its command line asks (`help` for
/// `--help`).
#[cfg(feature = "v8")]
fn host(request: Result<run::flags::Request, run::flags::FlagError>, help: &str) -> ExitCode {
    match request {
        Ok(run::flags::Request::Run(options)) => run::run(&options),
        Ok(run::flags::Request::Help) => {
            print!("{help}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

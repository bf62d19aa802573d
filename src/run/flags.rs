//! `ffic run`'s command line, read as Deno's `deno run` reads its own: the
//! flags Deno FFI programs are run with mean what they mean to Deno, flags
//! up to the script, everything after it the script's (`Deno.args`). Deno
//! flags ffic has no use for are accepted; those it cannot honour are
//! refused by name.

use super::RunOptions;
use super::permissions::{Grants, NAMES};
use std::path::PathBuf;

/// What the command line asks for.
#[derive(Debug)]
pub enum Request {
    /// Run a script (or, for `ffic test`, test files).
    Run(RunOptions),
    /// Print the help text.
    Help,
}

/// What `ffic test` runs, beyond what `ffic run` takes.
#[derive(Debug, Default, Clone)]
pub struct TestOptions {
    /// The test modules, as given (none: discover them as Deno does).
    pub files: Vec<PathBuf>,
    /// `--filter`: a substring of the test names to run, or `/regex/`.
    pub filter: Option<String>,
}

/// Why a command line was refused, in the words to print after `error: `.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    /// Neither Deno's nor ffic's.
    #[error("unexpected argument '{0}' found")]
    Unknown(String),
    /// Deno's, but not something `ffic run` can do.
    #[error("ffic run does not support Deno's {0} flag")]
    Unsupported(String),
    /// A flag given a value it does not take.
    #[error("invalid value '{value}' for '{flag}'")]
    Value {
        /// The flag.
        flag: String,
        /// The value.
        value: String,
    },
    /// A flag without the value it needs.
    #[error("a value is required for '{0}' but none was supplied")]
    MissingValue(String),
    /// No script named.
    #[error("the following required arguments were not provided:\n  <SCRIPT_ARG>")]
    NoScript,
}

/// The `--unstable-*` features Deno 2.9.6 accepts (each probed with
/// `deno run --unstable-NAME`); `hmr` is left out, as it means `--watch`.
const UNSTABLE_FEATURES: [&str; 27] = [
    "bare-node-builtins",
    "broadcast-channel",
    "bundle",
    "byonm",
    "cron",
    "detect-cjs",
    "ffi",
    "fs",
    "http",
    "kv",
    "lazy-dynamic-imports",
    "lockfile-v5",
    "net",
    "no-legacy-abort",
    "node-globals",
    "npm-lazy-caching",
    "otel",
    "process",
    "raw-imports",
    "sloppy-imports",
    "subdomain-wildcards",
    "temporal",
    "tsgo",
    "unsafe-proto",
    "vsock",
    "webgpu",
    "worker-options",
];

/// Deno flags that change nothing in ffic: there is no configuration file,
/// lock file, type check, prompt, remote module or npm package to speak of.
const NO_EFFECT: [&str; 8] = [
    "--no-config",
    "--no-lock",
    "--no-check",
    "--no-prompt",
    "--no-remote",
    "--no-npm",
    "--cached-only",
    "--no-code-cache",
];

/// Deno flags ffic cannot honour (watching, inspecting, configuration,
/// import maps, npm, deny lists…), refused by name rather than ignored.
const UNSUPPORTED: [&str; 33] = [
    "--watch",
    "--hmr",
    "--watch-exclude",
    "--no-clear-screen",
    "--ext",
    "--env-file",
    "--coverage",
    "--use-env-proxy",
    "--import-map",
    "--node-modules-dir",
    "--vendor",
    "--node-modules-linker",
    "--config",
    "--reload",
    "--lock",
    "--frozen-lockfile",
    "--cert",
    "--unsafely-ignore-certificate-errors",
    "--min-dep-age",
    "--inspect",
    "--inspect-brk",
    "--inspect-wait",
    "--inspect-publish-uid",
    "--location",
    "--preload",
    "--require",
    "--conditions",
    "--allow-scripts",
    "--permission-set",
    "--unstable-hmr",
    "--deny-ffi",
    "--ignore-env",
    "--ignore-read",
];

/// Deno's one-letter flags: the short form of a long one, or `q`.
fn long_form(short: char) -> Option<&'static str> {
    Some(match short {
        'A' => "--allow-all",
        'q' => "--quiet",
        'R' => "--allow-read",
        'W' => "--allow-write",
        'E' => "--allow-env",
        'N' => "--allow-net",
        'S' => "--allow-sys",
        'I' => "--allow-import",
        'c' => "--config",
        'r' => "--reload",
        'P' => "--permission-set",
        _ => return None,
    })
}

/// Reads `ffic run`'s arguments (everything after `run`).
pub fn parse(args: &[String]) -> Result<Request, FlagError> {
    parse_as(args, None)
}

/// Reads `ffic test`'s arguments (everything after `test`): `deno test`'s
/// flags, the test files, and after `--` the scripts' arguments.
pub fn parse_test(args: &[String]) -> Result<Request, FlagError> {
    parse_as(args, Some(TestOptions::default()))
}

/// Reads the flags of `ffic run`, or of `ffic test` when `test` is given.
fn parse_as(args: &[String], mut test: Option<TestOptions>) -> Result<Request, FlagError> {
    let mut options = RunOptions {
        script: PathBuf::new(),
        args: Vec::new(),
        v8_flags: None,
        grants: Grants::new(),
        trace_ffi: false,
        quiet: false,
        permissions_granted: false,
        notices: Vec::new(),
        test: None,
    };
    let mut v8_flags: Vec<String> = Vec::new();
    let mut rest = args.iter();
    let script = loop {
        let Some(arg) = rest.next() else {
            match test {
                Some(_) => break "",
                None => return Err(FlagError::NoScript),
            }
        };
        if arg == "--" {
            match test {
                Some(_) => break "",
                None => break rest.next().ok_or(FlagError::NoScript)?,
            }
        }
        if !arg.starts_with('-') || arg == "-" {
            match &mut test {
                Some(test) => {
                    test.files.push(PathBuf::from(arg));
                    continue;
                }
                None => break arg,
            }
        }
        // `-qA`: each letter a flag; Deno's short flags take no value here.
        let longs: Vec<String> = match arg.strip_prefix('-').filter(|s| !s.starts_with('-')) {
            Some(letters) => letters
                .chars()
                .map(|c| {
                    long_form(c)
                        .map(str::to_owned)
                        .ok_or_else(|| FlagError::Unknown(format!("-{c}")))
                })
                .collect::<Result<_, _>>()?,
            None => vec![arg.clone()],
        };
        for long in longs {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long.as_str(), None),
            };
            // A flag whose value may follow as the next argument.
            let mut next_value = || {
                value
                    .map(str::to_owned)
                    .or_else(|| rest.next().cloned())
                    .ok_or_else(|| FlagError::MissingValue(name.to_owned()))
            };
            if name == "--allow-all" || name.starts_with("--allow-") {
                options.permissions_granted = true;
            }
            let permission = name
                .strip_prefix("--allow-")
                .and_then(|p| NAMES.iter().find(|n| **n == p));
            match name {
                "-h" | "--help" => return Ok(Request::Help),
                "--allow-all" => {
                    for name in NAMES {
                        options.grants.insert(name, Vec::new());
                    }
                }
                _ if permission.is_some() => {
                    let list = match value {
                        None => Vec::new(),
                        Some(list) => list.split(',').map(str::to_owned).collect(),
                    };
                    // Unrestricted stays so; lists add up, as in Deno.
                    match options.grants.get_mut(permission.expect("matched")) {
                        Some(granted) if granted.is_empty() => {}
                        Some(granted) if list.is_empty() => granted.clear(),
                        Some(granted) => granted.extend(list),
                        None => {
                            options.grants.insert(permission.expect("matched"), list);
                        }
                    }
                }
                "--quiet" => options.quiet = true,
                "--filter" if test.is_some() => {
                    let filter = next_value()?;
                    if let Some(test) = &mut test {
                        test.filter = Some(filter);
                    }
                }
                "--trace-ffi" if value.is_none() => options.trace_ffi = true,
                "--v8-flags" => v8_flags.push(next_value()?),
                "--seed" => {
                    let seed = next_value()?;
                    if seed.parse::<u64>().is_err() {
                        return Err(FlagError::Value {
                            flag: "--seed".into(),
                            value: seed,
                        });
                    }
                    v8_flags.push(format!("--random-seed={seed}"));
                }
                "--unstable" if value.is_none() => options.notices.push(
                    "Warning The `--unstable` flag has been removed in Deno 2.0. Use granular `--unstable-*` flags instead.\nLearn more at: https://docs.deno.com/runtime/manual/tools/unstable_flags"
                        .into(),
                ),
                "--check" => options.notices.push(
                    "ffic does not type-check: run `tsc` or `deno check` (with the `.d.ts` that `ffic compile` writes) for that"
                        .into(),
                ),
                _ if UNSUPPORTED.contains(&name) || name.starts_with("--deny-") => {
                    return Err(FlagError::Unsupported(name.to_owned()));
                }
                _ if NO_EFFECT.contains(&name) && (value.is_none() || name == "--no-check") => {}
                _ if value.is_none()
                    && name
                        .strip_prefix("--unstable-")
                        .is_some_and(|f| UNSTABLE_FEATURES.contains(&f)) => {}
                _ => return Err(FlagError::Unknown(long.clone())),
            }
        }
    };
    options.script = PathBuf::from(script);
    options.args = rest.cloned().collect();
    options.test = test;
    if !v8_flags.is_empty() {
        options.v8_flags = Some(v8_flags.join(","));
    }
    Ok(Request::Run(options))
}

/// `ffic run --help`.
pub const HELP: &str = "\
Run a JavaScript or TypeScript module in V8 with Deno's globals.

Usage: ffic run [FLAGS] SCRIPT [ARGS]...

Runs an ES module, JavaScript or TypeScript (.ts, .mts, .cts, .tsx without
JSX; transpiled, not type-checked, as deno run does), with relative
imports, JSON modules and top-level await, and console, timers,
TextEncoder/TextDecoder, performance and the Deno
namespace. An uncaught error prints its stack and exits 1. The flags are
Deno's, meaning what they mean to `deno run`; everything after SCRIPT is
the script's (Deno.args).

Flags:
  -A, --allow-all            Allow everything
      --allow-ffi[=PATH,...] Allow Deno.dlopen: of any library, or of those under these paths
  -R, --allow-read[=PATH,...]
                             Allow reading files: any, or those under these paths
  -W, --allow-write[=PATH,...]
                             Allow writing files: any, or those under these paths
  -E, --allow-env[=NAME,...] Allow Deno.env: every variable, or these
  -N, -S, -I, --allow-net, --allow-sys, --allow-run, --allow-import[=...]
                             Accepted (Deno.permissions.query reports them);
                             ffic has none of the APIs they guard
      --v8-flags=FLAGS       Flags for V8, comma-separated
      --seed NUMBER          Seed Math.random (V8's --random-seed)
  -q, --quiet                No warnings
      --unstable-ffi, --unstable-*
                             Accepted (--unstable itself warns, as in Deno 2)
      --no-check, --no-config, --no-lock, --no-prompt, --no-remote, --no-npm,
      --cached-only, --no-code-cache
                             Accepted; they change nothing in ffic
      --check                Accepted with a notice: ffic does not type-check
      --trace-ffi            Report on stderr which code each FFI symbol runs
                             (artifact, JIT or libffi) and, at exit, its calls
                             on the fast and slow paths
  -h, --help                 This text

Other Deno flags (--watch, --inspect, --config, --import-map, --deny-*, ...)
are refused by name.

Examples:
  ffic run script.js arg1 arg2
  ffic run -A --unstable-ffi ffi.js
  ffic run --allow-ffi --trace-ffi script.js
  ffic run --allow-ffi=./lib,/usr/lib --v8-flags=--allow-natives-syntax script.js
";

/// `ffic test --help`.
pub const TEST_HELP: &str = "\
Run the Deno.test tests of test modules, as deno test does.

Usage: ffic test [FLAGS] [FILES OR DIRECTORIES]... [-- ARGS...]

Imports each test module in turn and runs the tests it registers with
Deno.test (sync and async, ignore, only, per-test permissions, t.step),
reporting as deno test does: a line per test with its time, output between
markers, the errors and failures, and the summary line; exits 1 if a test
failed or `only` was used. Without files, runs the test modules (test.ts,
*_test.ts, *.test.js, ...) under the working directory. The flags are
those of `ffic run` (see `ffic run --help`), and:

      --filter TEXT          Run only the tests whose name contains TEXT
                             (or matches /REGEX/)
";

//! What the embedder decides for an isolate's binding: the permission
//! policy, whether code may be compiled in process, the artifact cache,
//! `--trace-ffi`, and where diagnostics go. The binding reads no
//! environment variable and prints nothing itself.

use crate::policy::Policy;
use ffic_loader::Cache;
use std::cell::RefCell;
use std::fmt;

/// Something the binding reports rather than prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    /// A generated module's artifact was not used; calls go through `path`
    /// (the JIT or libffi) instead.
    ArtifactNotUsed {
        /// The artifact.
        artifact: String,
        /// Why.
        reason: String,
        /// What the calls use.
        path: String,
    },
    /// A callback called from another thread threw; native code got zero.
    CallbackThrew,
    /// A `--trace-ffi` line (only when tracing is on).
    Trace(String),
}

impl fmt::Display for Diagnostic {
    /// The words Deno (or ffic's CLI) prints for it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnostic::ArtifactNotUsed {
                artifact,
                reason,
                path,
            } => write!(
                f,
                "warning: ffic: the artifact {artifact} was not used ({reason}); calls go through {path}"
            ),
            Diagnostic::CallbackThrew => {
                write!(f, "Illegal unhandled exception in nonblocking callback")
            }
            Diagnostic::Trace(line) => write!(f, "ffi-trace: {line}"),
        }
    }
}

/// Where diagnostics go.
pub type Sink = Box<dyn Fn(&Diagnostic)>;

/// An isolate's binding configuration.
pub struct Config {
    /// Which libraries scripts may open, and whether they may use pointers
    /// and callbacks.
    pub policy: Box<dyn Policy>,
    /// Whether code may be compiled in process (the JIT); if not, whatever
    /// has no artifact goes through libffi.
    pub jit: bool,
    /// Where to look up (and keep) artifacts.
    pub cache: Option<Cache>,
    /// `--trace-ffi`: which code each symbol runs, and call counts.
    pub trace: bool,
    /// Where diagnostics go (nowhere by default).
    pub sink: Sink,
}

impl Config {
    /// `policy`, the JIT allowed, no cache, no tracing, diagnostics dropped.
    pub fn new(policy: Box<dyn Policy>) -> Config {
        Config {
            policy,
            jit: true,
            cache: None,
            trace: false,
            sink: Box::new(|_| {}),
        }
    }
}

/// The parts of the configuration read while calls run.
pub(crate) struct Settings {
    pub jit: bool,
    pub cache: Option<Cache>,
    pub sink: Sink,
}

thread_local! {
    static SETTINGS: RefCell<Option<Settings>> = const { RefCell::new(None) };
}

/// Keeps this thread's isolate's settings.
pub(crate) fn set(settings: Option<Settings>) {
    SETTINGS.with(|s| *s.borrow_mut() = settings);
}

/// Whether compiling in process is allowed, and the cache.
pub(crate) fn loading() -> (bool, Option<Cache>) {
    SETTINGS.with(|s| match &*s.borrow() {
        Some(settings) => (settings.jit, settings.cache.clone()),
        None => (false, None),
    })
}

/// Sends `diagnostic` to the sink.
pub(crate) fn report(diagnostic: Diagnostic) {
    SETTINGS.with(|s| {
        if let Some(settings) = &*s.borrow() {
            (settings.sink)(&diagnostic);
        }
    });
}

//! V8's compiled code for scripts and modules, kept in the artifact cache
//! (`v8/KEY.code`, sealed: see `ffic_loader::cache::sealed`) so that a
//! later process skips parsing and compiling them. Compiled from source,
//! the binding's small script is compiled whole and its code kept at once;
//! a host's script or a module is compiled as usual, and its code kept
//! when the host says (after the program ran, with every function it ran
//! by then), so a first run does not pay for compiling what it never runs.
//! Code is kept from a cache's second run on (see [`keeps`]). V8 refuses
//! code made by another V8 or under other flags, and the source is then
//! compiled afresh and its code kept again. V8 checks a source only by its
//! length, so the key is a SHA-256 over the whole text (with the name,
//! this crate's version and V8's): a cache entry never meets a text other
//! than its own.

use ffic_loader::Cache;
use ffic_loader::cache::sealed;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use v8::script_compiler::{CachedData, CompileOptions, NoCacheReason, Source};

/// What kind of sealed file a code cache entry is.
const MAGIC: &[u8; 8] = b"fficv8c1";

/// Where the compiled code of `text`, named `name`, is kept in `cache`.
fn entry(cache: &Cache, name: &str, text: &str) -> PathBuf {
    let key = sealed::key(&[
        "ffic v8 code v1",
        env!("CARGO_PKG_VERSION"),
        v8::V8::get_version(),
        name,
        text,
    ]);
    cache.dir().join("v8").join(format!("{key}.code"))
}

/// Whether this process keeps code in `cache`: only once a process before
/// it looked there for code (the `v8/` directory existed when this process
/// first looked, and the first look makes it). As browsers keep code only
/// for a script seen before, a one-off run pays nothing for code it would
/// never use again; the second run keeps it, later runs use it.
fn keeps(cache: &Cache) -> bool {
    static LOOKED: Mutex<Vec<(PathBuf, bool)>> = Mutex::new(Vec::new());
    let dir = cache.dir().join("v8");
    let mut looked = LOOKED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, existed)) = looked.iter().find(|(d, _)| *d == dir) {
        return *existed;
    }
    let existed = dir.is_dir();
    if !existed {
        let _ = Cache::new(&dir).ensure();
    }
    looked.push((dir, existed));
    existed
}

/// `cache` unless it cannot be trusted (a missing one will be made).
fn usable(cache: Option<&Cache>) -> Option<&Cache> {
    cache.filter(|c| c.check().is_ok() || !c.dir().exists())
}

/// Keeps `code` at `entry`, creating the directory (private to this user);
/// a cache that cannot take it is skipped.
fn keep(cache: &Cache, entry: &std::path::Path, code: &[u8]) {
    let dir = Cache::new(cache.dir().join("v8"));
    if dir.ensure().is_ok() {
        let _ = sealed::write(entry, MAGIC, code);
    }
}

/// Code compiled from source, to keep for the next process once the
/// program ran ([`Pending::keep`]); hold it no longer than the isolate.
#[derive(Debug)]
pub struct Pending {
    cache: Cache,
    entry: PathBuf,
    compiled: Compiled,
}

#[derive(Debug)]
enum Compiled {
    Script(v8::Global<v8::UnboundScript>),
    Module(v8::Global<v8::Module>),
}

impl Pending {
    /// Keeps the code compiled by now.
    pub fn keep(self, scope: &v8::PinScope) {
        let made = match &self.compiled {
            Compiled::Script(script) => v8::Local::new(scope, script).create_code_cache(),
            Compiled::Module(module) => v8::Local::new(scope, module)
                .get_unbound_module_script(scope)
                .create_code_cache(),
        };
        if let Some(made) = made {
            keep(&self.cache, &self.entry, &made);
        }
    }
}

/// When code compiled from source is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Compiled whole (every function) and kept at once.
    Now,
    /// Compiled as usual; the caller keeps it later (see [`Pending`]).
    Later,
}

/// Compiles the classic script `code` (`text`, named `name` in `origin`),
/// from the code a process before kept in `cache` when there is such code;
/// else from source, keeping its code as `keep` says. Without a cache (or
/// with one that cannot be trusted), compiles as V8 does by default.
pub fn compile_script<'s>(
    scope: &v8::PinScope<'s, '_>,
    cache: Option<&Cache>,
    (code, origin): (v8::Local<'s, v8::String>, &v8::ScriptOrigin<'s>),
    (name, text): (&str, &str),
    keep_when: Keep,
) -> (Option<v8::Local<'s, v8::Script>>, Option<Pending>) {
    let compile = |source: &mut Source, options| {
        v8::script_compiler::compile(scope, source, options, NoCacheReason::NoReason)
    };
    let Some(cache) = usable(cache) else {
        let mut source = Source::new(code, Some(origin));
        return (compile(&mut source, CompileOptions::NoCompileOptions), None);
    };
    let entry = entry(cache, name, text);
    if let Some(bytes) = sealed::read(&entry, MAGIC) {
        // `bytes` outlives `source`, which reads them (declared after it,
        // so dropped first).
        let mut source = Source::new_with_cached_data(code, Some(origin), CachedData::new(&bytes));
        let script = compile(&mut source, CompileOptions::ConsumeCodeCache);
        if script.is_none() || !source.get_cached_data().is_some_and(CachedData::rejected) {
            return (script, None);
        }
    }
    let mut source = Source::new(code, Some(origin));
    if !keeps(cache) {
        return (compile(&mut source, CompileOptions::NoCompileOptions), None);
    }
    let options = match keep_when {
        Keep::Now => CompileOptions::EagerCompile,
        Keep::Later => CompileOptions::NoCompileOptions,
    };
    let Some(script) = compile(&mut source, options) else {
        return (None, None);
    };
    let unbound = script.get_unbound_script(scope);
    let pending = Pending {
        cache: cache.clone(),
        entry,
        compiled: Compiled::Script(v8::Global::new(scope, unbound)),
    };
    match keep_when {
        Keep::Now => {
            pending.keep(scope);
            (Some(script), None)
        }
        Keep::Later => (Some(script), Some(pending)),
    }
}

/// Compiles the module `code` (`text`, named by its URL `name` in
/// `origin`), from the code a process before kept in `cache` when there is
/// such code; else from source, with its code to keep later.
pub fn compile_module<'s>(
    scope: &v8::PinScope<'s, '_>,
    cache: Option<&Cache>,
    (code, origin): (v8::Local<'s, v8::String>, &v8::ScriptOrigin<'s>),
    (name, text): (&str, &str),
) -> (Option<v8::Local<'s, v8::Module>>, Option<Pending>) {
    let Some(cache) = usable(cache) else {
        let mut source = Source::new(code, Some(origin));
        return (
            v8::script_compiler::compile_module(scope, &mut source),
            None,
        );
    };
    let entry = entry(cache, name, text);
    let bytes = sealed::read(&entry, MAGIC);
    // `bytes` outlives `source`, which reads them.
    let (mut source, options) = match &bytes {
        Some(bytes) => (
            Source::new_with_cached_data(code, Some(origin), CachedData::new(bytes)),
            CompileOptions::ConsumeCodeCache,
        ),
        None => (
            Source::new(code, Some(origin)),
            CompileOptions::NoCompileOptions,
        ),
    };
    let module =
        v8::script_compiler::compile_module2(scope, &mut source, options, NoCacheReason::NoReason);
    let used = bytes.is_some() && !source.get_cached_data().is_some_and(CachedData::rejected);
    let pending = match module {
        Some(module) if !used && keeps(cache) => Some(Pending {
            cache: cache.clone(),
            entry,
            compiled: Compiled::Module(v8::Global::new(scope, module)),
        }),
        _ => None,
    };
    (module, pending)
}

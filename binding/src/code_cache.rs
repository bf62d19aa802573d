//! V8's compiled code for scripts and modules, kept in the artifact cache
//! (`v8/KEY.code`, sealed: see `ffic_loader::cache::sealed`) so that a
//! later process skips parsing and compiling them. A script (the binding's
//! own, or a host's) is compiled whole the first time and its code kept at
//! once; a module is compiled as usual and its code kept when the host
//! says (after the program ran, with what it compiled by then). V8 refuses
//! code made by another V8 or under other flags, and the source is then
//! compiled afresh and its code kept again. V8 checks a source only by its
//! length, so the key is a SHA-256 over the whole text (with the name,
//! this crate's version and V8's): a cache entry never meets a text other
//! than its own.

use ffic_loader::Cache;
use ffic_loader::cache::sealed;
use std::path::PathBuf;
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

/// `cache` unless it cannot be trusted (a missing one will be made).
fn usable(cache: Option<&Cache>) -> Option<&Cache> {
    cache.filter(|c| c.check().is_ok() || !c.dir().exists())
}

/// The code kept for `entry`, if any.
fn kept(entry: &std::path::Path) -> Option<Vec<u8>> {
    sealed::read(entry, MAGIC)
}

/// Keeps `code` at `entry`, creating the directory (private to this user);
/// a cache that cannot take it is skipped.
fn keep(cache: &Cache, entry: &std::path::Path, code: &[u8]) {
    let dir = Cache::new(cache.dir().join("v8"));
    if dir.ensure().is_ok() {
        let _ = sealed::write(entry, MAGIC, code);
    }
}

/// Compiles the classic script `code` (`text`, named `name` in `origin`),
/// from the code a process before kept in `cache` when there is such code,
/// else whole (every function, not only those run at once), keeping its
/// code for the next process. Without a cache (or one that cannot be
/// trusted), compiles as V8 does by default.
pub fn compile_script<'s>(
    scope: &v8::PinScope<'s, '_>,
    cache: Option<&Cache>,
    code: v8::Local<'s, v8::String>,
    origin: &v8::ScriptOrigin<'s>,
    name: &str,
    text: &str,
) -> Option<v8::Local<'s, v8::Script>> {
    let Some(cache) = usable(cache) else {
        let mut source = Source::new(code, Some(origin));
        return v8::script_compiler::compile(
            scope,
            &mut source,
            CompileOptions::NoCompileOptions,
            NoCacheReason::NoReason,
        );
    };
    let entry = entry(cache, name, text);
    if let Some(bytes) = kept(&entry) {
        // `bytes` outlives `source`, which reads them (declared after it,
        // so dropped first).
        let mut source = Source::new_with_cached_data(code, Some(origin), CachedData::new(&bytes));
        let script = v8::script_compiler::compile(
            scope,
            &mut source,
            CompileOptions::ConsumeCodeCache,
            NoCacheReason::NoReason,
        )?;
        if !source.get_cached_data().is_some_and(CachedData::rejected) {
            return Some(script);
        }
    }
    let mut source = Source::new(code, Some(origin));
    let script = v8::script_compiler::compile(
        scope,
        &mut source,
        CompileOptions::EagerCompile,
        NoCacheReason::NoReason,
    )?;
    if let Some(made) = script.get_unbound_script(scope).create_code_cache() {
        keep(cache, &entry, &made);
    }
    Some(script)
}

/// A module's code to keep later, as [`compile_module`] found it missing.
#[derive(Debug)]
pub struct ModuleCode {
    cache: Cache,
    entry: PathBuf,
}

/// Compiles the module `code` (`text`, named by its URL `name` in
/// `origin`), from the code a process before kept in `cache` when there is
/// such code; else also what to give [`keep_module`] once the program ran.
pub fn compile_module<'s>(
    scope: &v8::PinScope<'s, '_>,
    cache: Option<&Cache>,
    code: v8::Local<'s, v8::String>,
    origin: &v8::ScriptOrigin<'s>,
    name: &str,
    text: &str,
) -> (Option<v8::Local<'s, v8::Module>>, Option<ModuleCode>) {
    let Some(cache) = usable(cache) else {
        let mut source = Source::new(code, Some(origin));
        return (
            v8::script_compiler::compile_module(scope, &mut source),
            None,
        );
    };
    let entry = entry(cache, name, text);
    let bytes = kept(&entry);
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
    let later = (module.is_some() && !used).then(|| ModuleCode {
        cache: cache.clone(),
        entry,
    });
    (module, later)
}

/// Keeps the code `module` has compiled by now, where `code` says.
pub fn keep_module(scope: &v8::PinScope, module: v8::Local<v8::Module>, code: &ModuleCode) {
    let unbound = module.get_unbound_module_script(scope);
    if let Some(made) = unbound.create_code_cache() {
        keep(&code.cache, &code.entry, &made);
    }
}

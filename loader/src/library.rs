//! The Rust call API: open a native library with its descriptors, choosing
//! code in the fallback order artifact → cache → JIT → libffi, then call its
//! symbols with typed values, read its statics and call function pointers.
//!
//! ```
//! use ffic_loader::{CallPath, OpenOptions, Value};
//!
//! let descriptors = br#"{ "cos": { "parameters": ["f64"], "result": "f64" } }"#;
//! let report = ffic_schema::check(descriptors, ffic_schema::Target::host());
//! let symbols = report.library.expect("a valid descriptor");
//!
//! // SAFETY: the descriptor matches libm's `double cos(double)`.
//! let libm = unsafe { OpenOptions::new().jit(true).open(symbols, "libm.so.6") }?;
//! let cos = libm.function("cos")?.expect("cos is not optional");
//! assert_eq!(cos.path(), CallPath::Jit); // no artifact was given
//! // SAFETY: cos takes any double.
//! assert_eq!(unsafe { cos.call(&[Value::F64(0.0)]) }?, Value::F64(1.0));
//! // A wrong argument is an error, and nothing is called.
//! assert!(unsafe { cos.call(&[Value::I32(0)]) }.is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::cache::Cache;
use crate::ffi::FfiInvoke;
use crate::invoker::{InvokeFn, Invoker};
use crate::scratch::scratch;
use crate::value::{Value, fill_slots};
use crate::{CallError, CodeSource, Helpers, LoadError, MappedArtifact, NativeLibrary, Resolved};
use ffic_schema::{Library, NameOrder, Signature, SymbolKind, Type, types::Primitive};
use std::collections::HashMap;
use std::ffi::c_void;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Arguments marshalled without touching the heap.
const INLINE_SLOTS: usize = 16;

/// Which code serves a symbol's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallPath {
    /// Trampolines from a verified artifact (given, or from the cache).
    Artifact,
    /// Trampolines compiled in this process by the same generator.
    Jit,
    /// libffi.
    Libffi,
}

impl fmt::Display for CallPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CallPath::Artifact => "artifact",
            CallPath::Jit => "JIT",
            CallPath::Libffi => "libffi",
        })
    }
}

/// A step of the fallback order that was tried and not taken, with why.
#[derive(Debug)]
pub struct Fallback {
    /// What was tried, e.g. `artifact /path/lib.ffic` or `JIT`.
    pub tried: String,
    /// Why it was not used.
    pub reason: LoadError,
}

impl fmt::Display for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.tried, self.reason)
    }
}

/// How to open a library: where to look for an artifact and what to fall
/// back to.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    artifact: Option<PathBuf>,
    cache: Option<Cache>,
    compile_on_miss: bool,
    store_jit: bool,
    jit: bool,
    lazy: bool,
    helpers: Helpers,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions::new()
    }
}

/// True unless `FFIC_JIT=0` disables compiling in process.
fn jit_enabled_by_env() -> bool {
    std::env::var_os("FFIC_JIT").is_none_or(|v| v != "0")
}

impl OpenOptions {
    /// No artifact, no cache, the JIT unless `FFIC_JIT=0`, helpers for a
    /// binder that never takes the fast path.
    pub fn new() -> OpenOptions {
        OpenOptions {
            artifact: None,
            cache: None,
            compile_on_miss: false,
            store_jit: false,
            jit: jit_enabled_by_env(),
            lazy: false,
            helpers: Helpers::inert(),
        }
    }

    /// Tries the artifact at `path` first.
    pub fn artifact(mut self, path: impl Into<PathBuf>) -> OpenOptions {
        self.artifact = Some(path.into());
        self
    }

    /// Looks the descriptors' artifact up in `cache` (after any explicit one).
    pub fn cache(mut self, cache: Cache) -> OpenOptions {
        self.cache = Some(cache);
        self
    }

    /// On a cache miss, compiles the artifact and stores it in the cache
    /// (atomically) before mapping it. Needs the JIT enabled, since it
    /// compiles in process.
    pub fn compile_on_miss(mut self, yes: bool) -> OpenOptions {
        self.compile_on_miss = yes;
        self
    }

    /// When the JIT compiles, also stores the artifact in the cache (best
    /// effort, atomically, from a background thread: see
    /// [`crate::cache::finish_stores`]), so that the next process maps it
    /// instead of compiling: this process still runs the JIT's code.
    pub fn store_jit(mut self, yes: bool) -> OpenOptions {
        self.store_jit = yes;
        self
    }

    /// Allows or forbids compiling in process (the JIT and compile-on-miss);
    /// forbidden, whatever has no artifact goes to libffi.
    pub fn jit(mut self, allowed: bool) -> OpenOptions {
        self.jit = allowed;
        self
    }

    /// When the JIT serves the library, compiles each function's code when
    /// it is first looked up ([`DynamicLibrary::function_at`]) rather than
    /// every function's at open; with [`OpenOptions::store_jit`], the whole
    /// artifact is compiled for the cache in the background.
    pub fn lazy_jit(mut self, yes: bool) -> OpenOptions {
        self.lazy = yes;
        self
    }

    /// The runtime helpers that fast trampolines call (the V8 host's own).
    pub fn helpers(mut self, helpers: Helpers) -> OpenOptions {
        self.helpers = helpers;
        self
    }

    /// Opens the native library at `native` (a bare name is searched as
    /// `dlopen` does) and binds `library`'s symbols.
    ///
    /// # Safety
    /// Opening runs the library's initialisers, and the descriptors must
    /// describe its symbols truthfully: ffic checks every value against the
    /// descriptors, but only they say what the native code expects.
    pub unsafe fn open(
        &self,
        library: impl Into<Arc<Library>>,
        native: impl AsRef<Path>,
    ) -> Result<DynamicLibrary, LoadError> {
        let native = Arc::new(NativeLibrary::open(native)?);
        // SAFETY: forwarded from this function's contract.
        unsafe { self.open_native(library, native) }
    }

    /// As [`OpenOptions::open`], with a library already open.
    ///
    /// # Safety
    /// As for [`OpenOptions::open`].
    pub unsafe fn open_native(
        &self,
        library: impl Into<Arc<Library>>,
        native: Arc<NativeLibrary>,
    ) -> Result<DynamicLibrary, LoadError> {
        let library = library.into();
        let resolved = Arc::new(Resolved::new(native, &library)?);
        let mut fallbacks = Vec::new();
        let code = self.compiled_code(&library, &resolved, &mut fallbacks);
        DynamicLibrary::bind(library, resolved, code, fallbacks)
    }

    /// The first code that binds, in the fallback order.
    fn compiled_code(
        &self,
        library: &Arc<Library>,
        resolved: &Arc<Resolved>,
        fallbacks: &mut Vec<Fallback>,
    ) -> Chosen {
        let mut tried = |tried: String, result: Result<Arc<MappedArtifact>, LoadError>| match result
        {
            Ok(code) => Chosen::Code(code),
            Err(reason) => {
                fallbacks.push(Fallback { tried, reason });
                Chosen::Libffi
            }
        };
        if let Some(path) = &self.artifact {
            let loaded = crate::shared::load(path, library, resolved, &self.helpers);
            if let code @ Chosen::Code(_) = tried(format!("artifact {}", path.display()), loaded) {
                return code;
            }
        }
        let mut compiled = None;
        let mut store_to = None;
        if let Some(cache) = &self.cache {
            let usable = match cache.check() {
                Ok(()) => true,
                // A missing directory is a miss; the store creates it.
                Err(_) if !cache.dir().exists() => true,
                Err(reason) => {
                    tried(format!("cache {}", cache.dir().display()), Err(reason));
                    false
                }
            };
            let path = cache.path_for(library);
            if usable && path.exists() {
                let loaded = crate::shared::load(&path, library, resolved, &self.helpers);
                if let code @ Chosen::Code(_) =
                    tried(format!("cached artifact {}", path.display()), loaded)
                {
                    return code;
                }
            }
            if usable && self.compile_on_miss && self.jit {
                let bytes = match compile(library) {
                    Ok(bytes) => bytes,
                    Err(e) => return tried("JIT".into(), Err(e)),
                };
                let stored = cache
                    .store(library, &bytes)
                    .and_then(|path| crate::shared::load(&path, library, resolved, &self.helpers));
                if let code @ Chosen::Code(_) =
                    tried(format!("cache {}", cache.dir().display()), stored)
                {
                    return code;
                }
                compiled = Some(bytes);
            }
            if usable && self.store_jit && compiled.is_none() {
                store_to = Some(cache);
            }
        }
        if !self.jit {
            return Chosen::Libffi;
        }
        if self.lazy && compiled.is_none() {
            // The whole artifact goes to the cache off this thread; this
            // process compiles only what it binds.
            if let Some(cache) = store_to {
                let whole = Arc::clone(library);
                cache.store_later(Arc::clone(library), move || {
                    Ok(ffic_compiler::compile_artifact(&whole)?.bytes)
                });
            }
            return Chosen::Lazy(self.helpers);
        }
        let jitted = crate::shared::jit(library, resolved, &self.helpers, || {
            let bytes = match compiled {
                Some(bytes) => bytes,
                None => {
                    let bytes = compile(library)?;
                    // A cache that cannot take it is only a later miss.
                    if let Some(cache) = store_to {
                        let copy = bytes.clone();
                        cache.store_later(Arc::clone(library), move || Ok(copy));
                    }
                    bytes
                }
            };
            MappedArtifact::from_compiled(&bytes, library, resolved, &self.helpers)
        });
        tried("JIT".into(), jitted)
    }
}

/// The code [`OpenOptions::compiled_code`] chose for a library.
enum Chosen {
    /// An artifact's, or the JIT's for every symbol.
    Code(Arc<MappedArtifact>),
    /// The JIT's, each function's compiled when first looked up, calling
    /// these helpers.
    Lazy(Helpers),
    /// libffi for every function.
    Libffi,
}

/// Compilations of code this process runs, so far.
static COMPILATIONS: AtomicU64 = AtomicU64::new(0);

/// How many times this process compiled code to run: a descriptor set's
/// (the JIT, including compiles that fill the cache before mapping), or
/// one function's on first use (the lazy JIT). Compiles made only for the
/// cache, in the background, are not counted. Zero when every library came
/// from an artifact.
pub fn jit_compilations() -> u64 {
    COMPILATIONS.load(Ordering::Relaxed)
}

/// Compiles `library`'s trampolines in process, counted.
fn compile(library: &Library) -> Result<Vec<u8>, LoadError> {
    COMPILATIONS.fetch_add(1, Ordering::Relaxed);
    Ok(ffic_compiler::compile_artifact(library)?.bytes)
}

/// An opened native library with every symbol resolved, and every function
/// bound to its code (at open, or on first lookup under the lazy JIT).
/// `Send + Sync`: its code is immutable once published, so any thread may
/// call any symbol at any time.
#[derive(Debug)]
pub struct DynamicLibrary {
    /// The descriptors, which name and type every entry.
    library: Arc<Library>,
    /// In descriptor order.
    entries: Vec<Entry>,
    /// Entry indices sorted by name, made on the first lookup by name (a
    /// binder that walks the symbols in order never sorts them).
    by_name: OnceLock<NameOrder>,
    path: CallPath,
    fallbacks: Vec<Fallback>,
    /// Under the lazy JIT, what compiling a function on first lookup needs.
    lazy: Option<Lazy>,
    // Declared last: the code and the library outlive the entry points above.
    code: Option<Arc<MappedArtifact>>,
    /// Keeps the native library loaded (the only owner on libffi).
    resolved: Arc<Resolved>,
}

/// How one descriptor symbol is bound (what it is comes from the descriptor).
#[derive(Debug)]
struct Entry {
    /// 0 for an absent optional symbol.
    address: usize,
    /// For a present function: its invoker and fast trampolines, set at
    /// open or, under the lazy JIT, on first lookup; never for a static.
    code: OnceLock<(Invoker, FastCode)>,
}

/// The lazy JIT's state: the helpers its code calls, and the code compiled
/// so far (one piece per function looked up), whose lock also keeps two
/// threads from compiling one function twice.
#[derive(Debug)]
struct Lazy {
    helpers: Helpers,
    pieces: Mutex<Vec<Arc<MappedArtifact>>>,
}

// SAFETY: the only raw pointers are entry points into code that is immutable
// once published and lives as long as the library; calling them from any
// thread is what they are for. Everything else is owned data.
unsafe impl Send for DynamicLibrary {}
// SAFETY: as above: nothing is mutated after `bind` but the name order and
// the entries' code, which `OnceLock`s fill once, safely from any thread,
// and the lazy JIT's pieces, behind a mutex.
unsafe impl Sync for DynamicLibrary {}

impl DynamicLibrary {
    fn bind(
        library: Arc<Library>,
        resolved: Arc<Resolved>,
        chosen: Chosen,
        fallbacks: Vec<Fallback>,
    ) -> Result<DynamicLibrary, LoadError> {
        let (code, lazy) = match chosen {
            Chosen::Code(code) => (Some(code), None),
            Chosen::Lazy(helpers) => (
                None,
                Some(Lazy {
                    helpers,
                    pieces: Mutex::new(Vec::new()),
                }),
            ),
            Chosen::Libffi => (None, None),
        };
        let path = match code.as_deref().map(MappedArtifact::source) {
            Some(CodeSource::File | CodeSource::Copy) => CallPath::Artifact,
            Some(CodeSource::Jit) => CallPath::Jit,
            None if lazy.is_some() => CallPath::Jit,
            None => CallPath::Libffi,
        };
        // `open_native` resolved these very descriptors.
        let addresses = resolved.addresses();
        let mut bound = code.as_ref().map(|c| c.symbols());
        // libffi call interfaces, one per distinct signature.
        let mut ffi: HashMap<&Signature, Invoker> = HashMap::new();
        let mut entries = Vec::with_capacity(library.symbols.len());
        for (symbol, address) in library.symbols.iter().zip(addresses) {
            // Compiled code lists the same symbols in the same order.
            let compiled = bound.as_mut().and_then(Iterator::next);
            let code = OnceLock::new();
            if let SymbolKind::Function { signature, .. } = &symbol.kind
                && lazy.is_none()
            {
                let invoker = match compiled.and_then(|b| b.invoke) {
                    // SAFETY: a verified invoke trampoline; it stays mapped
                    // with `code`, which the library owns.
                    Some(f) => unsafe { invoke_code(f) },
                    None => match ffi.get(signature) {
                        Some(invoker) => invoker.clone(),
                        None => {
                            let invoker = Invoker::Ffi(Arc::new(FfiInvoke::new(signature)?));
                            ffi.insert(signature, invoker.clone());
                            invoker
                        }
                    },
                };
                let _ = code.set((invoker, fast_code(compiled)));
            }
            entries.push(Entry { address, code });
        }
        drop(bound);
        drop(ffi);
        Ok(DynamicLibrary {
            library,
            entries,
            by_name: OnceLock::new(),
            path,
            fallbacks,
            lazy,
            code,
            resolved,
        })
    }

    /// Compiles the function at `index` (present, not yet bound) on its
    /// own, for the lazy JIT, keeping its code in `pieces`: its invoker and
    /// fast trampolines, or libffi when compiling fails.
    fn bind_lazily(
        &self,
        index: usize,
        helpers: &Helpers,
        pieces: &mut Vec<Arc<MappedArtifact>>,
    ) -> Result<(Invoker, FastCode), LoadError> {
        let symbol = &self.library.symbols[index];
        let SymbolKind::Function { signature, .. } = &symbol.kind else {
            unreachable!("only functions are bound");
        };
        let one = Library {
            target: self.library.target,
            symbols: vec![symbol.clone()],
            constants: Vec::new(),
            structs: Vec::new(),
            default_library: None,
        };
        let resolved = Arc::new(self.resolved.only(index, &self.library)?);
        let piece = crate::shared::jit(&one, &resolved, helpers, || {
            let bytes = compile(&one)?;
            MappedArtifact::from_compiled(&bytes, &one, &resolved, helpers)
        });
        let Some((piece, bound, invoke)) = piece.ok().and_then(|piece| {
            let bound = piece.symbols().next()?;
            Some((Arc::clone(&piece), bound, bound.invoke?))
        }) else {
            let invoker = Invoker::Ffi(Arc::new(FfiInvoke::new(signature)?));
            return Ok((invoker, FastCode::default()));
        };
        pieces.push(piece);
        // SAFETY: a verified invoke trampoline, mapped as long as its piece,
        // which the library now holds.
        let invoker = unsafe { invoke_code(invoke) };
        Ok((invoker, fast_code(Some(bound))))
    }

    /// The invoker and fast trampolines of the present function at `index`,
    /// compiled now if the lazy JIT has not bound it yet.
    fn code_at<'a>(
        &'a self,
        index: usize,
        entry: &'a Entry,
    ) -> Result<&'a (Invoker, FastCode), CallError> {
        if let Some(code) = entry.code.get() {
            return Ok(code);
        }
        let Some(lazy) = &self.lazy else {
            unreachable!("`bind` binds every present function unless the JIT is lazy");
        };
        let mut pieces = lazy.pieces.lock().unwrap_or_else(|e| e.into_inner());
        // Another thread may have bound it while this one waited.
        if entry.code.get().is_none() {
            let code = self
                .bind_lazily(index, &lazy.helpers, &mut pieces)
                .map_err(|e| CallError::Bind {
                    symbol: self.library.symbols[index].name.clone(),
                    reason: e.to_string(),
                })?;
            let _ = entry.code.set(code);
        }
        Ok(entry.code.get().expect("bound above"))
    }

    /// The descriptor index of the symbol `name`.
    fn index(&self, name: &str) -> Result<usize, CallError> {
        let order = self.by_name.get_or_init(|| self.library.name_order());
        let symbols = &self.library.symbols;
        let order = order.indices();
        order
            .binary_search_by(|&i| symbols[i as usize].name.as_str().cmp(name))
            .map(|k| order[k] as usize)
            .map_err(|_| CallError::UnknownSymbol(name.into()))
    }

    /// The function `name`: `Ok(None)` when it is optional and absent.
    pub fn function(&self, name: &str) -> Result<Option<Function<'_>>, CallError> {
        self.function_at(self.index(name)?)
    }

    /// The function at `index` in descriptor order (no lookup by name):
    /// `Ok(None)` when it is optional and absent.
    pub fn function_at(&self, index: usize) -> Result<Option<Function<'_>>, CallError> {
        let (Some(symbol), Some(entry)) =
            (self.library.symbols.get(index), self.entries.get(index))
        else {
            return Err(CallError::UnknownSymbol(format!("#{index}")));
        };
        let SymbolKind::Function {
            signature,
            nonblocking,
            ..
        } = &symbol.kind
        else {
            return Err(CallError::WrongKind {
                symbol: symbol.name.clone(),
                actual: "static",
                wanted: "function",
            });
        };
        if entry.address == 0 {
            return Ok(None);
        }
        let (invoker, fast) = self.code_at(index, entry)?;
        Ok(Some(Function {
            lib: self,
            name: &symbol.name,
            signature,
            nonblocking: *nonblocking,
            address: entry.address,
            invoker,
            fast: *fast,
        }))
    }

    /// The address of the symbol at `index` in descriptor order (`None`
    /// when it is optional and absent), bound or not.
    pub fn address_at(&self, index: usize) -> Option<*const c_void> {
        let entry = self.entries.get(index)?;
        (entry.address != 0).then_some(entry.address as *const c_void)
    }

    /// Calls the function `name` with `args`.
    ///
    /// # Safety
    /// As [`Function::call`].
    pub unsafe fn call(&self, name: &str, args: &[Value<'_>]) -> Result<Value<'static>, CallError> {
        let function = self
            .function(name)?
            .ok_or_else(|| CallError::Absent(name.into()))?;
        // SAFETY: forwarded from this function's contract.
        unsafe { function.call(args) }
    }

    /// Reads the current value of the static `name`: `Ok(None)` when it is
    /// optional and absent.
    ///
    /// # Safety
    /// No other thread may be writing the variable.
    pub unsafe fn read_static(&self, name: &str) -> Result<Option<Value<'static>>, CallError> {
        let index = self.index(name)?;
        let entry = &self.entries[index];
        let SymbolKind::Static { ty } = &self.library.symbols[index].kind else {
            return Err(CallError::WrongKind {
                symbol: name.into(),
                actual: "function",
                wanted: "static",
            });
        };
        if entry.address == 0 {
            return Ok(None);
        }
        let size = ty.layout(ffic_schema::Target::host()).0 as usize;
        let mut bytes = vec![0u8; size];
        // SAFETY: the address is the variable's (dlsym), which the descriptors
        // say has this type and so this many readable bytes; no one writes
        // it meanwhile (this function's contract).
        unsafe {
            std::ptr::copy_nonoverlapping(entry.address as *const u8, bytes.as_mut_ptr(), size)
        };
        Ok(Some(Value::read(ty, &bytes)))
    }

    /// The address of the static `name` (what Deno hands out for a static of
    /// pointer type): `Ok(None)` when it is optional and absent.
    pub fn static_address(&self, name: &str) -> Result<Option<*const c_void>, CallError> {
        let index = self.index(name)?;
        let entry = &self.entries[index];
        if let SymbolKind::Function { .. } = self.library.symbols[index].kind {
            return Err(CallError::WrongKind {
                symbol: name.into(),
                actual: "function",
                wanted: "static",
            });
        }
        Ok((entry.address != 0).then_some(entry.address as *const c_void))
    }

    /// A callable function pointer of `signature`, through this library's
    /// invoke trampoline for that signature if it has one, else libffi.
    pub fn fn_pointer(
        &self,
        address: *const c_void,
        signature: &Signature,
    ) -> Result<FnPointer<'_>, LoadError> {
        let text = signature.to_string();
        let compiled = self.code().iter().find_map(|c| c.invoke(&text));
        match compiled {
            Some(f) => Ok(FnPointer {
                address,
                signature: signature.clone(),
                // SAFETY: a verified invoke trampoline of this signature,
                // mapped as long as the library the pointer borrows (which
                // keeps every piece the lazy JIT compiled).
                invoker: unsafe { invoke_code(f) },
                path: self.path,
                _code: PhantomData,
            }),
            None => FnPointer::new(address, signature),
        }
    }

    /// Where this library's code came from: every function with a compiled
    /// invoke trampoline takes this path (see [`Function::path`]).
    pub fn path(&self) -> CallPath {
        self.path
    }

    /// Its compiled code so far: the artifact's, the JIT's, or each piece
    /// the lazy JIT compiled (empty on libffi). Held, it keeps that code
    /// mapped and the native library loaded.
    pub fn code(&self) -> Vec<Arc<MappedArtifact>> {
        match &self.lazy {
            Some(lazy) => lazy
                .pieces
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            None => self.code.iter().cloned().collect(),
        }
    }

    /// Where compiled code came from (`None` on libffi).
    pub fn code_source(&self) -> Option<CodeSource> {
        match &self.lazy {
            Some(_) => Some(CodeSource::Jit),
            None => self.code.as_deref().map(MappedArtifact::source),
        }
    }

    /// Whether the JIT compiles each function when it is first looked up
    /// (see [`OpenOptions::lazy_jit`]).
    pub fn compiles_on_first_use(&self) -> bool {
        self.lazy.is_some()
    }

    /// Each fallback step that was tried and not taken, in order, with why.
    pub fn fallbacks(&self) -> &[Fallback] {
        &self.fallbacks
    }

    /// Symbol names in descriptor order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.library.symbols.iter().map(|s| s.name.as_str())
    }
}

/// The invoker of a compiled invoke trampoline at `f`.
///
/// # Safety
/// `f` must be a verified invoke trampoline (exactly the `InvokeFn` machine
/// signature), mapped for as long as the invoker is used.
unsafe fn invoke_code(f: *const u8) -> Invoker {
    // SAFETY: forwarded from this function's contract.
    Invoker::Code(unsafe { std::mem::transmute::<*const u8, InvokeFn>(f) })
}

/// The fast trampolines of a compiled symbol (none without compiled code).
fn fast_code(bound: Option<crate::BoundSymbol>) -> FastCode {
    FastCode {
        returning: bound.and_then(|b| b.fast),
        reentrant: bound.and_then(|b| b.reentrant),
    }
}

/// A function's fast trampolines (V8 Fast API shape), when compiled code
/// has them.
#[derive(Debug, Clone, Copy, Default)]
pub struct FastCode {
    /// Returns its result to V8 (or writes a struct to the out buffer).
    pub returning: Option<*const u8>,
    /// Stores a primitive result through the pointer passed after the
    /// parameters and returns nothing: safe to re-enter JS from.
    pub reentrant: Option<*const u8>,
}

/// A bound, present function of a [`DynamicLibrary`].
#[derive(Debug, Clone, Copy)]
pub struct Function<'a> {
    lib: &'a DynamicLibrary,
    name: &'a str,
    signature: &'a Signature,
    nonblocking: bool,
    address: usize,
    invoker: &'a Invoker,
    fast: FastCode,
}

impl<'a> Function<'a> {
    /// The JS name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The native signature.
    pub fn signature(&self) -> &'a Signature {
        self.signature
    }

    /// Whether the descriptor marks it `nonblocking`.
    pub fn nonblocking(&self) -> bool {
        self.nonblocking
    }

    /// The native function's address.
    pub fn address(&self) -> *const c_void {
        self.address as *const c_void
    }

    /// Which code serves its calls.
    pub fn path(&self) -> CallPath {
        match self.invoker {
            Invoker::Code(_) => self.lib.path,
            Invoker::Ffi(_) => CallPath::Libffi,
        }
    }

    /// Its fast trampolines, when compiled code has them.
    pub fn fast(&self) -> FastCode {
        self.fast
    }

    /// How its signature is called (for binders that marshal themselves).
    pub fn invoker(&self) -> &'a Invoker {
        self.invoker
    }

    /// Calls it with `args`, checked against its signature before anything
    /// runs: a wrong count or type is an error.
    ///
    /// # Safety
    /// The native function's own contract must hold: pointers must be valid
    /// for what it does with them, and it must be safe to call now.
    pub unsafe fn call(&self, args: &[Value<'_>]) -> Result<Value<'static>, CallError> {
        // SAFETY: the address is this symbol's and the invoker is its
        // signature's; the rest is forwarded from this function's contract.
        unsafe {
            call_checked(
                &self.name,
                self.signature,
                self.invoker,
                self.address(),
                args,
            )
        }
    }
}

/// A function pointer with a signature, callable like a symbol.
#[derive(Debug, Clone)]
pub struct FnPointer<'a> {
    address: *const c_void,
    signature: Signature,
    invoker: Invoker,
    path: CallPath,
    /// Borrows the library whose invoke trampoline it may use.
    _code: PhantomData<&'a DynamicLibrary>,
}

// SAFETY: the invoker is either libffi's (Send + Sync) or code that lives as
// long as the borrowed library; the address is only passed to native code.
unsafe impl Send for FnPointer<'_> {}
// SAFETY: as above: nothing is mutated after construction.
unsafe impl Sync for FnPointer<'_> {}

impl FnPointer<'static> {
    /// A function pointer called through libffi.
    pub fn new(address: *const c_void, signature: &Signature) -> Result<Self, LoadError> {
        Ok(FnPointer {
            address,
            signature: signature.clone(),
            invoker: Invoker::Ffi(Arc::new(FfiInvoke::new(signature)?)),
            path: CallPath::Libffi,
            _code: PhantomData,
        })
    }
}

impl FnPointer<'_> {
    /// Which code serves its calls.
    pub fn path(&self) -> CallPath {
        self.path
    }

    /// The function's address.
    pub fn address(&self) -> *const c_void {
        self.address
    }

    /// Its signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// How its signature is called (for binders that marshal themselves).
    pub fn invoker(&self) -> &Invoker {
        &self.invoker
    }

    /// Calls it with `args`, checked against its signature.
    ///
    /// # Safety
    /// The address must be a function of this signature, and its own
    /// contract must hold for `args`.
    pub unsafe fn call(&self, args: &[Value<'_>]) -> Result<Value<'static>, CallError> {
        let name = PointerName(self.address);
        if self.address.is_null() {
            return Err(CallError::NullFunction(name.to_string()));
        }
        // SAFETY: forwarded from this function's contract; not null.
        unsafe { call_checked(&name, &self.signature, &self.invoker, self.address, args) }
    }
}

/// A function pointer's name in errors, formatted only when one happens.
struct PointerName(*const c_void);

impl fmt::Display for PointerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "function pointer {:p}", self.0)
    }
}

/// Checks `args`, fills the slots, calls, and reads the result back.
///
/// # Safety
/// `address` must be a function of `signature` served by `invoker`, and its
/// contract must hold for `args`.
unsafe fn call_checked(
    name: &dyn fmt::Display,
    signature: &Signature,
    invoker: &Invoker,
    address: *const c_void,
    args: &[Value<'_>],
) -> Result<Value<'static>, CallError> {
    let n = signature.parameters.len();
    let mut inline = [0u64; INLINE_SLOTS];
    let mut heap = Vec::new();
    let slots = scratch(&mut inline, &mut heap, n, 0);
    fill_slots(name, signature, args, slots)?;
    match &signature.result {
        Type::Struct(layout) => {
            let mut ret = vec![0u8; layout.size as usize];
            // SAFETY: slots were filled and checked for this signature (struct
            // slots point into `args`, alive here); `ret` holds the struct.
            unsafe { invoker.call(address, slots.as_ptr(), ret.as_mut_ptr()) };
            Ok(Value::Struct(ret.into()))
        }
        Type::Primitive(Primitive::Void) => {
            // SAFETY: as above; a void result writes nothing.
            unsafe { invoker.call(address, slots.as_ptr(), std::ptr::null_mut()) };
            Ok(Value::Void)
        }
        scalar => {
            let mut ret = [0u8; 8];
            // SAFETY: as above; every scalar fits 8 bytes.
            unsafe { invoker.call(address, slots.as_ptr(), ret.as_mut_ptr()) };
            Ok(Value::read(scalar, &ret))
        }
    }
}

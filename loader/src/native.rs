//! The native library a descriptor binds, opened once with `libloading`, and
//! the addresses of a descriptor's symbols in it.

use crate::LoadError;
use ffic_schema::{Library, SymbolKind};
use std::ffi::c_void;
use std::path::Path;
use std::sync::Arc;

/// An open native library.
#[derive(Debug)]
pub struct NativeLibrary {
    library: libloading::Library,
}

impl NativeLibrary {
    /// Opens the library at `path` (as `dlopen` does: a bare name is searched).
    pub fn open(path: impl AsRef<Path>) -> Result<NativeLibrary, LoadError> {
        let path = path.as_ref();
        // SAFETY: loading a library runs its initialisers; opening the library
        // a descriptor names is exactly what the user asked for, as with Deno.dlopen.
        let library =
            unsafe { libloading::Library::new(path) }.map_err(|e| LoadError::Library {
                path: path.to_owned(),
                message: loader_message(&e),
            })?;
        Ok(NativeLibrary { library })
    }

    /// The address of symbol `native`, or the dynamic loader's message.
    pub fn address(&self, native: &str) -> Result<*const c_void, String> {
        self.address_with(native, &mut Vec::new())
    }

    /// [`NativeLibrary::address`] spelling the C name in `scratch`: a name
    /// that ends in NUL is passed to `dlsym` as is, where libloading would
    /// allocate a copy for every other one.
    fn address_with(&self, native: &str, scratch: &mut Vec<u8>) -> Result<*const c_void, String> {
        scratch.clear();
        scratch.extend_from_slice(native.as_bytes());
        scratch.push(0);
        // SAFETY: the symbol is only read as an address, never called or
        // dereferenced here; the typed use happens through the trampolines.
        let symbol = unsafe { self.library.get::<*const c_void>(scratch.as_slice()) }
            .map_err(|e| loader_message(&e))?;
        // SAFETY: as above; `try_as_raw_ptr` hands out the address dlsym gave.
        let raw =
            unsafe { symbol.try_as_raw_ptr() }.ok_or_else(|| format!("{native}: no address"))?;
        Ok(raw as *const c_void)
    }
}

/// The dynamic loader's own words (`dlerror`), which libloading keeps as
/// the error's source behind a generic "dlopen failed".
fn loader_message(error: &libloading::Error) -> String {
    std::error::Error::source(error).map_or_else(|| error.to_string(), |s| s.to_string())
}

/// Every symbol of a descriptor resolved in its native library, as Deno does
/// at `dlopen`: a missing required symbol is an error, a missing optional one
/// is absent. Resolution comes before any code is chosen, so every path
/// (artifact, JIT, libffi) sees the same addresses and the same errors.
#[derive(Debug)]
pub struct Resolved {
    /// Kept loaded while the addresses are in use.
    _native: Arc<NativeLibrary>,
    /// Address, or 0 when absent, in descriptor order.
    addresses: Vec<usize>,
    /// The JS names resolved, each as a little-endian u32 length and its
    /// bytes, in descriptor order: one allocation, where a `String` per
    /// name costs at every open.
    names: Vec<u8>,
    /// The thunks variadic functions are called through (their addresses
    /// above).
    _thunks: Vec<crate::variadic::Thunk>,
}

impl Resolved {
    /// Looks up every symbol of `library` in `native`.
    pub fn new(native: Arc<NativeLibrary>, library: &Library) -> Result<Resolved, LoadError> {
        let mut addresses = Vec::with_capacity(library.symbols.len());
        let mut names = Vec::new();
        let mut scratch = Vec::new();
        let mut thunks = Vec::new();
        for symbol in &library.symbols {
            let missing = |message| LoadError::MissingSymbol {
                name: symbol.name.clone(),
                message,
            };
            let address = match native.address_with(&symbol.native, &mut scratch) {
                Ok(p) if !p.is_null() => p as usize,
                // A null address would be called or read: treat it as absent.
                Ok(_) | Err(_) if symbol.optional => 0,
                Ok(_) => {
                    return Err(missing(format!(
                        "{}: the symbol's address is null",
                        symbol.native
                    )));
                }
                Err(message) => return Err(missing(message)),
            };
            // x86-64 only: there the caller of a variadic function sets %al
            // (AAPCS64 on Linux passes variadic arguments as any others).
            let variadic = matches!(&symbol.kind, SymbolKind::Function { signature, .. } if signature.variadic);
            let address = if variadic && address != 0 && cfg!(target_arch = "x86_64") {
                let thunk = crate::variadic::thunk(address)?;
                let code = thunk.code();
                thunks.push(thunk);
                code
            } else {
                address
            };
            addresses.push(address);
            push_name(&mut names, &symbol.name);
        }
        Ok(Resolved {
            _native: native,
            addresses,
            names,
            _thunks: thunks,
        })
    }

    /// The addresses of `library`'s symbols in descriptor order (0 for an
    /// absent optional one), or `None` if these were resolved for other
    /// descriptors.
    pub fn addresses_for(&self, library: &Library) -> Option<impl Iterator<Item = usize>> {
        let mut rest = self.names.as_slice();
        let same = self.addresses.len() == library.symbols.len()
            && library.symbols.iter().all(|symbol| {
                let name = symbol.name.as_bytes();
                let Some((len, tail)) = rest.split_first_chunk::<4>() else {
                    return false;
                };
                let matches =
                    u32::from_le_bytes(*len) as usize == name.len() && tail.starts_with(name);
                rest = tail.get(name.len()..).unwrap_or_default();
                matches
            });
        same.then(|| self.addresses())
    }

    /// The symbol at `index` alone, as [`Resolved::new`] would resolve a
    /// library of that one symbol (`library` holds what these were resolved
    /// for): the same address, its thunk kept by one more user.
    pub(crate) fn only(&self, index: usize, library: &Library) -> Result<Resolved, LoadError> {
        let symbol = &library.symbols[index];
        let address = self.addresses[index];
        let thunks = match self._thunks.iter().find(|t| t.code() == address) {
            Some(thunk) => vec![thunk.another()?],
            None => Vec::new(),
        };
        let mut names = Vec::with_capacity(4 + symbol.name.len());
        push_name(&mut names, &symbol.name);
        Ok(Resolved {
            _native: Arc::clone(&self._native),
            addresses: vec![address],
            names,
            _thunks: thunks,
        })
    }

    /// The addresses in the order of the descriptors they were resolved for.
    pub(crate) fn addresses(&self) -> impl Iterator<Item = usize> {
        self.addresses.iter().copied()
    }
}

/// Appends `name` to a [`Resolved`]'s names: its length, then its bytes.
fn push_name(names: &mut Vec<u8>, name: &str) {
    names.extend_from_slice(&(name.len() as u32).to_le_bytes());
    names.extend_from_slice(name.as_bytes());
}

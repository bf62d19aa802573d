//! The native library a descriptor binds, opened once with `libloading`, and
//! the addresses of a descriptor's symbols in it.

use crate::LoadError;
use ffic_schema::Library;
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
                message: e.to_string(),
            })?;
        Ok(NativeLibrary { library })
    }

    /// The address of symbol `native`, or the dynamic loader's message.
    pub fn address(&self, native: &str) -> Result<*const c_void, String> {
        // SAFETY: the symbol is only read as an address, never called or
        // dereferenced here; the typed use happens through the trampolines.
        let symbol =
            unsafe { self.library.get::<*const c_void>(native) }.map_err(|e| e.to_string())?;
        // SAFETY: as above; `try_as_raw_ptr` hands out the address dlsym gave.
        let raw =
            unsafe { symbol.try_as_raw_ptr() }.ok_or_else(|| format!("{native}: no address"))?;
        Ok(raw as *const c_void)
    }
}

/// Every symbol of a descriptor resolved in its native library, as Deno does
/// at `dlopen`: a missing required symbol is an error, a missing optional one
/// is absent. Resolution comes before any code is chosen, so every path
/// (artifact, JIT, libffi) sees the same addresses and the same errors.
#[derive(Debug)]
pub struct Resolved {
    /// Kept loaded while the addresses are in use.
    _native: Arc<NativeLibrary>,
    /// (JS name, address or 0 when absent), in descriptor order.
    symbols: Vec<(String, usize)>,
}

impl Resolved {
    /// Looks up every symbol of `library` in `native`.
    pub fn new(native: Arc<NativeLibrary>, library: &Library) -> Result<Resolved, LoadError> {
        let mut symbols = Vec::with_capacity(library.symbols.len());
        for symbol in &library.symbols {
            let missing = |message| LoadError::MissingSymbol {
                name: symbol.name.clone(),
                message,
            };
            let address = match native.address(&symbol.native) {
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
            symbols.push((symbol.name.clone(), address));
        }
        Ok(Resolved {
            _native: native,
            symbols,
        })
    }

    /// The addresses of `library`'s symbols in descriptor order (0 for an
    /// absent optional one), or `None` if these were resolved for other
    /// descriptors.
    pub fn addresses_for(&self, library: &Library) -> Option<impl Iterator<Item = usize>> {
        let same = self.symbols.len() == library.symbols.len()
            && self
                .symbols
                .iter()
                .zip(&library.symbols)
                .all(|((name, _), symbol)| *name == symbol.name);
        same.then(|| self.addresses())
    }

    /// The addresses in the order of the descriptors they were resolved for.
    pub(crate) fn addresses(&self) -> impl Iterator<Item = usize> {
        self.symbols.iter().map(|(_, address)| *address)
    }
}

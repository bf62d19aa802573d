//! The native library a descriptor binds, opened once with `libloading`.

use crate::LoadError;
use std::ffi::c_void;
use std::path::Path;

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

//! ffic-loader: reads `.ffic` artifacts, verifies every byte that matters on
//! the mapped file itself, then maps the code read+execute, fills the import
//! table from the native library and hands out entry points. A rejected
//! artifact is a typed error and is never executed. Without a usable
//! artifact it falls back to compiling the same code in process (the JIT),
//! then to libffi; [`OpenOptions`] and [`DynamicLibrary`] are the Rust API
//! over all of it. With feature `v8`, [`deno`] is the `Deno.dlopen` binding
//! a V8 host builds on.

// Invoke slots hold scalars in their low bytes and results are read back as
// little-endian: both x86-64 and aarch64 Linux are.
#[cfg(target_endian = "big")]
compile_error!("ffic-loader assumes a little-endian target");

pub mod cache;
pub mod callback;
mod checked;
pub mod cstring;
pub mod errno;
mod error;
pub mod ffi;
pub mod helpers;
pub mod invoker;
pub mod library;
pub mod mapped;
pub mod native;
mod region;
mod scratch;
mod shared;
mod trust;
mod value;
mod variadic;
pub mod verify;

pub use cache::Cache;
pub use callback::NativeCallback;
pub use checked::Checked;
pub use error::{CallError, LoadError};
pub use helpers::Helpers;
pub use invoker::Invoker;
pub use library::{CallPath, DynamicLibrary, Fallback, FastCode, FnPointer, Function, OpenOptions};
pub use mapped::{BoundSymbol, CodeSource, MappedArtifact};
pub use native::{NativeLibrary, Resolved};
pub use value::Value;

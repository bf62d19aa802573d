//! ffic-loader: reads `.ffic` artifacts, verifies every byte that matters on
//! the mapped file itself, then maps the code read+execute, fills the import
//! table from the native library and hands out entry points. A rejected
//! artifact is a typed error and is never executed.

mod error;
pub mod helpers;
pub mod mapped;
pub mod native;
mod region;
pub mod verify;

pub use error::LoadError;
pub use helpers::Helpers;
pub use mapped::{BoundSymbol, CodeSource, MappedArtifact};
pub use native::NativeLibrary;

//! Where the native test library and its descriptor are. Tests across the
//! workspace call this library on every path (artifact, JIT, libffi, V8).

use std::path::{Path, PathBuf};

/// Path of the built `libffic_test.so`.
pub fn library_path() -> &'static Path {
    Path::new(env!("FFIC_TEST_LIBRARY"))
}

/// Path of `ffic_test.json`, the descriptor that binds every symbol of the library.
pub fn descriptor_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ffic_test.json")
}

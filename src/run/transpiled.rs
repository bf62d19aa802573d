//! The transpile cache: a TypeScript module's JavaScript and source map,
//! kept by content hash in `ts/` under the artifact cache, with the same
//! trust rules (a directory only this user can write, files replaced by
//! rename), so a second start skips the transpiler. Anything unreadable,
//! short or malformed is a miss, never an error.

use ffic_loader::Cache;
use std::path::{Path, PathBuf};

/// A cache file's first bytes; a new layout or transpiler changes them.
const MAGIC: &[u8; 8] = b"FFICTS1\0";

/// One source map token: (generated line, column, source line, column).
pub type Token = (u32, u32, u32, u32);

/// What a module transpiles to.
#[derive(Debug)]
pub struct Transpiled {
    /// The JavaScript.
    pub code: String,
    /// Its source map.
    pub tokens: Vec<Token>,
}

/// The cache directory, if there is one and it can be trusted.
fn directory() -> Option<Cache> {
    let cache = Cache::from_env()?;
    let dir = cache.dir().join("ts");
    Some(Cache::new(dir))
}

/// The file for `source`, the module at `path` named `url`: a SHA-256 over
/// everything the output depends on.
fn file(dir: &Path, path: &Path, url: &str, source: &str) -> PathBuf {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let parts = [env!("CARGO_PKG_VERSION"), extension, url, source];
    dir.join(format!("{}.js", ffic_loader::cache::sealed::key(&parts)))
}

/// The cached output for this module, if present and well formed.
pub fn load(path: &Path, url: &str, source: &str) -> Option<Transpiled> {
    let cache = directory()?;
    cache.check().ok()?;
    let bytes = std::fs::read(file(cache.dir(), path, url, source)).ok()?;
    let rest = bytes.strip_prefix(MAGIC)?;
    let (count, rest) = rest.split_first_chunk::<4>()?;
    let count = u32::from_le_bytes(*count) as usize;
    let table = rest.get(..count.checked_mul(16)?)?;
    let word = |chunk: &[u8], i: usize| {
        u32::from_le_bytes(chunk[i * 4..i * 4 + 4].try_into().expect("4 bytes"))
    };
    let tokens = table
        .chunks_exact(16)
        .map(|t| (word(t, 0), word(t, 1), word(t, 2), word(t, 3)))
        .collect();
    let code = String::from_utf8(rest[table.len()..].to_vec()).ok()?;
    Some(Transpiled { code, tokens })
}

/// Keeps `output` for this module; a cache that cannot take it is skipped.
pub fn store(path: &Path, url: &str, source: &str, output: &Transpiled) {
    let Some(cache) = directory() else {
        return;
    };
    if cache.ensure().is_err() {
        return;
    }
    let Ok(count) = u32::try_from(output.tokens.len()) else {
        return;
    };
    let mut bytes = Vec::with_capacity(12 + output.tokens.len() * 16 + output.code.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&count.to_le_bytes());
    for &(a, b, c, d) in &output.tokens {
        for word in [a, b, c, d] {
            bytes.extend_from_slice(&word.to_le_bytes());
        }
    }
    bytes.extend_from_slice(output.code.as_bytes());
    let _ = ffic_compiler::write_atomically(&file(cache.dir(), path, url, source), &bytes);
}

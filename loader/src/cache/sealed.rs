//! Cache files that vouch for their own bytes: eight bytes naming the kind
//! of file, the SHA-256 of the payload, then the payload. Read back only
//! from a regular file that only its owner (this user or root) may write,
//! and only when the digest matches, so a torn, truncated or altered file
//! is as good as no file. Written by rename and not synced: a write a
//! crash cuts short fails its digest the next time. Also the keys such
//! files are named by.

use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

/// A file name for what `parts` say, as 64 hex digits: a SHA-256 over
/// each part and its length.
pub fn key(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Bytes before the payload: the kind and the digest.
const HEADER: usize = 8 + 32;

/// The largest sealed file read back (ffic writes none near it): a larger
/// one is refused before a byte of it is read.
const MAX_FILE: u64 = 1 << 30;

/// The payload of the sealed file at `path` of kind `magic`, if it is one.
pub fn read(path: &Path, magic: &[u8; 8]) -> Option<Vec<u8>> {
    // Non-blocking, so that a FIFO planted in its place cannot stall.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file()
        || metadata.len() > MAX_FILE
        || crate::trust::only_owner_writes(&metadata).is_err()
    {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).ok()?);
    file.read_to_end(&mut bytes).ok()?;
    let (head, payload) = bytes.split_at_checked(HEADER)?;
    if head[..8] != magic[..] || head[8..] != Sha256::digest(payload)[..] {
        return None;
    }
    bytes.drain(..HEADER);
    Some(bytes)
}

/// Writes `payload` sealed as `magic` to `path`, replacing the file by
/// rename (`path`'s directory must exist).
pub fn write(path: &Path, magic: &[u8; 8], payload: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".ffic-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(magic)?;
    tmp.write_all(&Sha256::digest(payload))?;
    tmp.write_all(payload)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

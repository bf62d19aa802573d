//! The one rule for files and directories the loader relies on staying as
//! verified: owned by this user or root, and writable by nobody else.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;

/// Why `metadata` fails the rule, if it does.
pub fn only_owner_writes(metadata: &Metadata) -> Result<(), String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if metadata.uid() != me && metadata.uid() != 0 {
        return Err(format!(
            "owned by user {}, not by this user ({me}) or root",
            metadata.uid()
        ));
    }
    if metadata.mode() & 0o022 != 0 {
        return Err(format!(
            "mode {:o} lets other users write it (chmod go-w)",
            metadata.mode() & 0o777
        ));
    }
    Ok(())
}

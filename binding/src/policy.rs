//! Which libraries scripts may open, as the host decides: `Deno.dlopen`
//! asks the host's [`Policy`] for the file behind the path a script gave,
//! after the descriptor is checked and before anything is loaded, and then
//! loads exactly the file the policy returned.

use std::cell::RefCell;
use std::path::PathBuf;

/// Why a path may not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not permitted: scripts see Deno's `NotCapable` naming this path.
    NotCapable(String),
    /// Not a path that can be opened: scripts see an `Error` with this message.
    Invalid(String),
}

/// The host's rule for the libraries scripts may open.
pub trait Policy {
    /// The file to load for `path` as the script gave it: loaded exactly as
    /// returned (so a policy that checks a file must return that same file,
    /// resolved, for the loader not to search elsewhere), or why not.
    fn library(&self, path: &str) -> Result<PathBuf, Refusal>;
}

thread_local! {
    static POLICY: RefCell<Option<Box<dyn Policy>>> = const { RefCell::new(None) };
}

/// Sets the policy of this thread's isolate.
pub(super) fn set(policy: Box<dyn Policy>) {
    POLICY.with(|p| *p.borrow_mut() = Some(policy));
}

/// The file to load for `path`; with no policy set, nothing may be opened.
pub(super) fn library(path: &str) -> Result<PathBuf, Refusal> {
    POLICY.with(|p| match &*p.borrow() {
        Some(policy) => policy.library(path),
        None => Err(Refusal::NotCapable(path.to_owned())),
    })
}

/// Drops the policy when the isolate is done.
pub(super) fn clear() {
    POLICY.with(|p| p.borrow_mut().take());
}

//! What scripts may do, as the embedder decides: `Deno.dlopen` asks the
//! [`Policy`] for the file behind the path a script gave, after the
//! descriptor is checked and before anything is loaded, and then loads
//! exactly the file the policy returned; pointers and callbacks are allowed
//! or not for the isolate's life.

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

/// The embedder's rules for what an isolate's scripts may do through FFI.
pub trait Policy {
    /// The file to load for `path` as the script gave it: loaded exactly as
    /// returned (so a policy that checks a file must return that same file,
    /// resolved, for the loader not to search elsewhere), or why not.
    fn library(&self, path: &str) -> Result<PathBuf, Refusal>;

    /// Whether scripts may make, read through and call pointers
    /// (`UnsafePointer`, `UnsafePointerView`, `UnsafeFnPointer`); asked
    /// once, when the binding is installed.
    fn pointers(&self) -> bool;

    /// Whether scripts may create `UnsafeCallback`s; asked once, when the
    /// binding is installed.
    fn callbacks(&self) -> bool;

    /// Told of each refusal the script sees (`permission` is "ffi", `item`
    /// the path if any), e.g. to remember it or to hint at a fix.
    fn refused(&self, _permission: &str, _item: Option<&str>) {}
}

/// Deno's `--allow-ffi` for a fixed answer: everything (an empty list),
/// nothing (`None`), or the libraries at these exact paths; pointers and
/// callbacks only when everything is allowed.
pub struct AllowFfi(pub Option<Vec<PathBuf>>);

impl Policy for AllowFfi {
    fn library(&self, path: &str) -> Result<PathBuf, Refusal> {
        match &self.0 {
            Some(list) if list.is_empty() => Ok(PathBuf::from(path)),
            Some(list) if list.iter().any(|p| p.as_os_str() == path) => Ok(PathBuf::from(path)),
            _ => Err(Refusal::NotCapable(path.to_owned())),
        }
    }

    fn pointers(&self) -> bool {
        self.0.as_ref().is_some_and(Vec::is_empty)
    }

    fn callbacks(&self) -> bool {
        self.pointers()
    }
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

/// Tells the policy of a refusal.
pub(super) fn refused(permission: &str, item: Option<&str>) {
    POLICY.with(|p| {
        if let Some(policy) = &*p.borrow() {
            policy.refused(permission, item);
        }
    });
}

/// Drops the policy when the isolate is done.
pub(super) fn clear() {
    POLICY.with(|p| p.borrow_mut().take());
}

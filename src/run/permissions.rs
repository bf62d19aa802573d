//! Which libraries scripts may open (`--allow-ffi`): the CLI's policy for
//! the binding. With `--allow-ffi=PATH` a library path is resolved once,
//! canonically (against the working directory, `..` and symlinks followed),
//! checked, and that resolved file is what gets loaded, so the name can
//! never reach the system loader's search or point outside through a link.

use super::modules::normalize;
use ffic_loader::deno::{Policy, Refusal};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// Which libraries scripts may open: `None` denies all, an empty list
/// allows all, otherwise files under one of the paths.
pub type Allowed = Option<Vec<PathBuf>>;

thread_local! {
    static ALLOWED: RefCell<Allowed> = const { RefCell::new(None) };
}

/// Sets what `--allow-ffi` granted (the paths resolved now, as Deno
/// resolves them at start-up).
pub fn set_allowed(allowed: Allowed) {
    let allowed = allowed.map(|list| list.iter().map(|p| resolved(p)).collect());
    ALLOWED.with(|a| *a.borrow_mut() = allowed);
}

/// `path` made absolute against the working directory, `.` and `..` resolved.
fn absolute(path: &Path) -> PathBuf {
    normalize(&std::env::current_dir().unwrap_or_default().join(path))
}

/// `path` absolute with every symlink followed, or lexically absolute when
/// it does not exist.
fn resolved(path: &Path) -> PathBuf {
    let absolute = absolute(path);
    std::fs::canonicalize(&absolute).unwrap_or(absolute)
}

/// The policy `ffic run` gives the binding: Deno's `--allow-ffi`.
pub struct FfiFlags;

impl Policy for FfiFlags {
    fn library(&self, path: &str) -> Result<PathBuf, Refusal> {
        ALLOWED.with(|a| match &*a.borrow() {
            // Unrestricted, the name goes to the system loader as given
            // (searched when bare, the main program when empty), as in Deno.
            Some(list) if list.is_empty() => Ok(PathBuf::from(path)),
            _ if path.is_empty() => Err(Refusal::Invalid("Empty path is not allowed".into())),
            None => Err(Refusal::NotCapable(path.to_owned())),
            Some(list) => within(list, path),
        })
    }
}

/// The file `path` (not empty) names, if it lies under one of `list`
/// (resolved paths).
fn within(list: &[PathBuf], path: &str) -> Result<PathBuf, Refusal> {
    let absolute = absolute(Path::new(path));
    let covered = |p: &Path| list.iter().any(|dir| p.starts_with(dir));
    // Refused, the path is named as given, `.` and `..` resolved, as Deno
    // names it (never a link's target: that would tell the script where
    // links outside its reach point).
    let named = || normalize(Path::new(path)).display().to_string();
    match std::fs::canonicalize(&absolute) {
        Ok(file) if covered(&file) => Ok(file),
        Ok(_) => Err(Refusal::NotCapable(named())),
        // Nothing to load: the loader's error, without asking it, since a
        // file appearing later would not have been checked.
        Err(e) if covered(&absolute) => Err(Refusal::Invalid(format!(
            "Could not open library: Could not open library: {}: cannot open shared object file: {}",
            absolute.display(),
            os_message(&e)
        ))),
        Err(_) => Err(Refusal::NotCapable(named())),
    }
}

/// An I/O error as `strerror` words it (Rust adds " (os error N)").
fn os_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(end) => text[..end].to_owned(),
        None => text,
    }
}

/// `ffiAllowed()`: whether FFI is allowed unrestricted (what Deno asks for
/// pointers, views, function pointers and callbacks: `--allow-ffi=PATH` is
/// not enough).
pub fn ffi_allowed(
    scope: &mut v8::PinScope,
    _: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let allowed = ALLOWED.with(|a| a.borrow().as_ref().is_some_and(|list| list.is_empty()));
    rv.set(v8::Boolean::new(scope, allowed).into());
}

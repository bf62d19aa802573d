//! Which libraries scripts may open (`--allow-ffi`), checked before
//! `Deno.dlopen` loads anything.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// Which libraries scripts may open: `None` denies all, an empty list
/// allows all, otherwise files under one of the paths.
pub type Allowed = Option<Vec<PathBuf>>;

thread_local! {
    static ALLOWED: RefCell<Allowed> = const { RefCell::new(None) };
}

/// Sets what `--allow-ffi` granted.
pub fn set_allowed(allowed: Allowed) {
    ALLOWED.with(|a| *a.borrow_mut() = allowed);
}

/// `path` made absolute against the working directory, `.` and `..` resolved.
fn absolute(path: &Path) -> PathBuf {
    super::modules::normalize(&std::env::current_dir().unwrap_or_default().join(path))
}

/// `ffiAllowed(path)`: whether `--allow-ffi` covers `path`; without a path,
/// whether FFI is allowed unrestricted (what Deno asks for pointers,
/// views, function pointers and callbacks: `--allow-ffi=PATH` is not enough).
pub fn ffi_allowed(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let path = args.get(0);
    let path = (!path.is_undefined()).then(|| path.to_rust_string_lossy(scope));
    let allowed = ALLOWED.with(|a| match (&*a.borrow(), path) {
        (None, _) => false,
        (Some(list), _) if list.is_empty() => true,
        (Some(_), None) => false,
        (Some(list), Some(path)) => {
            let target = absolute(Path::new(&path));
            list.iter().any(|p| target.starts_with(absolute(p)))
        }
    });
    rv.set(v8::Boolean::new(scope, allowed).into());
}

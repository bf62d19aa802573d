//! Shared by the loader's tests: the test library compiled into an artifact
//! on disk, and runtime helpers that stand in for V8 (a "Local<Value>" here
//! is the address of a [`FakeValue`]).

#![allow(dead_code)] // each test binary uses part of this module

use ffic_compiler::compile_artifact;
use ffic_loader::{Helpers, LoadError, MappedArtifact, NativeLibrary, Resolved};
use ffic_schema::{Library, Target};
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The test library's descriptor, normalised for this host (checked once
/// per test binary: the hostile tests load a thousand artifacts).
pub fn library() -> Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY
        .get_or_init(|| {
            let bytes = std::fs::read(ffic_testlib::descriptor_path()).unwrap();
            let report = ffic_schema::check(&bytes, Target::host());
            assert!(report.is_valid(), "{:?}", report.diagnostics);
            report.library.unwrap()
        })
        .clone()
}

/// The native test library, opened.
pub fn native() -> Arc<NativeLibrary> {
    Arc::new(NativeLibrary::open(ffic_testlib::library_path()).unwrap())
}

/// The test library's symbols resolved in the native test library.
pub fn resolved() -> Arc<Resolved> {
    static RESOLVED: OnceLock<Arc<Resolved>> = OnceLock::new();
    Arc::clone(RESOLVED.get_or_init(|| Arc::new(Resolved::new(native(), &library()).unwrap())))
}

/// A directory holding the compiled artifact of the test library.
pub struct Compiled {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Writes an artifact as `ffic compile` does: mode 0644, whatever the umask.
pub fn write_artifact(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

pub fn compile() -> Compiled {
    let compiled = compile_artifact(&library()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ffic_test.ffic");
    write_artifact(&path, &compiled.bytes);
    Compiled {
        dir,
        path,
        bytes: compiled.bytes,
    }
}

pub fn load(path: &Path, helpers: &Helpers) -> Result<MappedArtifact, LoadError> {
    MappedArtifact::load(path, &library(), &resolved(), helpers)
}

/// What a fake `Local<Value>` holds.
#[repr(C)]
pub struct FakeValue {
    /// 0: null, 1: a buffer, 2: something else (a string, say).
    pub kind: u32,
    pub data: *mut u8,
    pub len: usize,
}

impl FakeValue {
    pub fn null() -> FakeValue {
        FakeValue {
            kind: 0,
            data: std::ptr::null_mut(),
            len: 0,
        }
    }
    pub fn buffer(bytes: &mut [u8]) -> FakeValue {
        FakeValue {
            kind: 1,
            data: bytes.as_mut_ptr(),
            len: bytes.len(),
        }
    }
    pub fn other() -> FakeValue {
        FakeValue {
            kind: 2,
            data: std::ptr::null_mut(),
            len: 0,
        }
    }
}

const INVALID: *mut u8 = usize::MAX as *mut u8;

thread_local! {
    /// The last (kind, argument) the raise helper was asked to throw.
    pub static RAISED: Cell<Option<(u32, u32)>> = const { Cell::new(None) };
    /// Every options pointer the trace helper saw.
    pub static TRACED: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" fn buffer_data(value: *const c_void) -> *mut u8 {
    // SAFETY: tests pass only addresses of live FakeValues.
    let v = unsafe { &*(value as *const FakeValue) };
    match v.kind {
        0 => std::ptr::null_mut(),
        1 => v.data,
        _ => INVALID,
    }
}

unsafe extern "C" fn struct_data(value: *const c_void, size: usize) -> *mut u8 {
    // SAFETY: as above.
    let v = unsafe { &*(value as *const FakeValue) };
    if v.kind == 1 && v.len >= size {
        v.data
    } else {
        INVALID
    }
}

unsafe extern "C" fn raise(_options: *const c_void, kind: u32, argument: u32) {
    RAISED.with(|r| r.set(Some((kind, argument))));
}

unsafe extern "C" fn trace(options: *const c_void) {
    TRACED.with(|t| t.borrow_mut().push(options as usize));
}

/// Helpers with tracing on or off.
pub fn helpers(tracing: bool) -> Helpers {
    Helpers {
        buffer_data,
        struct_data,
        raise,
        trace: if tracing { Some(trace) } else { None },
    }
}

/// The library of descriptor `text` for this host, which must be valid.
pub fn checked(text: &[u8]) -> Library {
    let report = ffic_schema::check(text, Target::host());
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    report.library.unwrap()
}

/// `library` bound to the test library on `path`: from a freshly compiled
/// artifact (kept in the returned directory), through the JIT, or on
/// libffi; compiled code gets the test helpers.
pub fn open_on(
    library: &Library,
    path: ffic_loader::CallPath,
) -> (ffic_loader::DynamicLibrary, Option<tempfile::TempDir>) {
    use ffic_loader::{CallPath, OpenOptions};
    let (options, dir) = match path {
        CallPath::Artifact => {
            let compiled = compile_artifact(library).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("library.ffic");
            write_artifact(&file, &compiled.bytes);
            let options = OpenOptions::new().artifact(&file).helpers(helpers(false));
            (options, Some(dir))
        }
        CallPath::Jit => (OpenOptions::new().jit(true).helpers(helpers(false)), None),
        CallPath::Libffi => (OpenOptions::new().jit(false), None),
    };
    // SAFETY: the tests' descriptors describe the test library truthfully.
    let lib = unsafe { options.open(library.clone(), ffic_testlib::library_path()) }.unwrap();
    assert_eq!(lib.path(), path);
    (lib, dir)
}

/// `library` bound to the test library through the lazy JIT, with the test
/// helpers: no function is compiled until it is looked up.
pub fn open_lazily(library: &Library) -> ffic_loader::DynamicLibrary {
    use ffic_loader::{CallPath, OpenOptions};
    let options = OpenOptions::new()
        .jit(true)
        .lazy_jit(true)
        .helpers(helpers(false));
    // SAFETY: the tests' descriptors describe the test library truthfully.
    let lib = unsafe { options.open(library.clone(), ffic_testlib::library_path()) }.unwrap();
    assert_eq!(lib.path(), CallPath::Jit);
    assert!(lib.compiles_on_first_use());
    assert!(lib.code().is_empty(), "nothing compiled at open");
    lib
}

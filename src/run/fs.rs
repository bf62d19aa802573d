//! The file system natives behind `Deno.readFile`, `writeFile`, `stat`,
//! `remove`, `mkdir`, `makeTempDir` and `chdir`: each checks
//! `--allow-read`/`--allow-write` first, and fails as Deno does, with the
//! error class, message and `code` Deno gives for the same OS error.

use super::errors::throw_deno;
use super::permissions;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

type Args<'s> = v8::FunctionCallbackArguments<'s>;
type Ret<'s> = v8::ReturnValue<'s, v8::Value>;

/// Deno's error class and `code` for an OS error, by errno.
fn classify(error: &std::io::Error) -> (&'static str, Option<&'static str>) {
    let code = error.raw_os_error().and_then(errno_name);
    let class = match code {
        Some("ENOENT") => "NotFound",
        Some("EACCES" | "EPERM") => "PermissionDenied",
        Some("EEXIST") => "AlreadyExists",
        Some("EISDIR") => "IsADirectory",
        Some("ENOTDIR") => "NotADirectory",
        Some("EBUSY") => "Busy",
        Some("ELOOP") => "FilesystemLoop",
        Some("EINTR") => "Interrupted",
        _ => "Error",
    };
    (class, code)
}

/// The names of the errno values file operations give on Linux.
fn errno_name(errno: i32) -> Option<&'static str> {
    Some(match errno {
        1 => "EPERM",
        2 => "ENOENT",
        4 => "EINTR",
        5 => "EIO",
        9 => "EBADF",
        12 => "ENOMEM",
        13 => "EACCES",
        16 => "EBUSY",
        17 => "EEXIST",
        18 => "EXDEV",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        23 => "ENFILE",
        24 => "EMFILE",
        26 => "ETXTBSY",
        27 => "EFBIG",
        28 => "ENOSPC",
        30 => "EROFS",
        31 => "EMLINK",
        36 => "ENAMETOOLONG",
        39 => "ENOTEMPTY",
        40 => "ELOOP",
        122 => "EDQUOT",
        _ => return None,
    })
}

/// Throws `error` as Deno does: "<OS message>: <operation> '<path>'".
fn throw_io(scope: &mut v8::PinScope, error: &std::io::Error, operation: &str, path: &str) {
    let (class, code) = classify(error);
    let message = if path.is_empty() && operation == "tmpdir" {
        format!("{error}: {operation}")
    } else {
        format!("{error}: {operation} '{path}'")
    };
    throw_deno(scope, class, &message, code);
}

/// Checks `permission` for `path`; throws Deno's NotCapable if refused.
fn allowed(scope: &mut v8::PinScope, permission: &'static str, path: &str) -> bool {
    match permissions::check(permission, Some(path)) {
        Ok(()) => true,
        Err(message) => {
            throw_deno(scope, "NotCapable", &message, None);
            false
        }
    }
}

/// `readFile(path)`: the file's bytes as a Uint8Array.
fn read_file(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let path = args.get(0).to_rust_string_lossy(scope);
    if !allowed(scope, "read", &path) {
        return;
    }
    match std::fs::read(&path) {
        Ok(bytes) => {
            let len = bytes.len();
            let store = v8::ArrayBuffer::new_backing_store_from_vec(bytes).make_shared();
            let buffer = v8::ArrayBuffer::with_backing_store(scope, &store);
            if let Some(array) = v8::Uint8Array::new(scope, buffer, 0, len) {
                rv.set(array.into());
            }
        }
        Err(e) => throw_io(scope, &e, "readfile", &path),
    }
}

/// `writeFile(path, bytes, append, create, mode)`: writes a Uint8Array.
fn write_file(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let path = args.get(0).to_rust_string_lossy(scope);
    if !allowed(scope, "write", &path) {
        return;
    }
    // Everything that may run JS (valueOf) before the bytes are borrowed.
    let append = args.get(2).is_true();
    let create = !args.get(3).is_false();
    let mode = args.get(4).uint32_value(scope).unwrap_or(0o666);
    let bytes = match ffic_deno::bytes_of(args.get(1)) {
        // SAFETY: the buffer behind the argument (a live handle) holds
        // `len` bytes at `data`, V8 never moves it, and no JS runs while
        // the slice is used.
        Some((data, len)) if len > 0 => unsafe {
            std::slice::from_raw_parts(data.cast::<u8>(), len)
        },
        Some(_) => &[][..],
        None => return super::errors::throw_type_error(scope, "expected type `Uint8Array`"),
    };
    let result = std::fs::OpenOptions::new()
        .write(true)
        .append(append)
        .truncate(!append)
        .create(create)
        .mode(mode)
        .open(&path)
        .and_then(|mut file| file.write_all(bytes));
    if let Err(e) = result {
        throw_io(scope, &e, "writefile", &path);
    }
}

/// `stat(path, lstat)`: Deno's FileInfo for the file (the link itself when
/// `lstat`).
fn stat(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let path = args.get(0).to_rust_string_lossy(scope);
    let lstat = args.get(1).is_true();
    if !allowed(scope, "read", &path) {
        return;
    }
    let result = match lstat {
        true => std::fs::symlink_metadata(&path),
        false => std::fs::metadata(&path),
    };
    match result {
        Ok(meta) => rv.set(file_info(scope, &meta).into()),
        Err(e) => throw_io(scope, &e, if lstat { "lstat" } else { "stat" }, &path),
    }
}

/// A FileInfo object, its keys in Deno's order.
fn file_info<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    meta: &std::fs::Metadata,
) -> v8::Local<'s, v8::Object> {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    let millis = |seconds: i64, nanos: i64| (seconds as f64) * 1000.0 + (nanos as f64) / 1e6;
    let date = |scope: &mut v8::PinScope<'s, '_>, ms: Option<f64>| -> v8::Local<'s, v8::Value> {
        match ms.and_then(|ms| v8::Date::new(scope, ms)) {
            Some(date) => date.into(),
            None => v8::null(scope).into(),
        }
    };
    let birth = meta.created().ok().and_then(|t| {
        let since = t.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(since.as_secs_f64() * 1000.0)
    });
    let number = |scope: &mut v8::PinScope<'s, '_>, n: f64| -> v8::Local<'s, v8::Value> {
        v8::Number::new(scope, n).into()
    };
    let boolean = |scope: &mut v8::PinScope<'s, '_>, b: bool| -> v8::Local<'s, v8::Value> {
        v8::Boolean::new(scope, b).into()
    };
    let entries = [
        ("isFile", boolean(scope, kind.is_file())),
        ("isDirectory", boolean(scope, kind.is_dir())),
        ("isSymlink", boolean(scope, kind.is_symlink())),
        ("size", number(scope, meta.size() as f64)),
        (
            "mtime",
            date(scope, Some(millis(meta.mtime(), meta.mtime_nsec()))),
        ),
        (
            "atime",
            date(scope, Some(millis(meta.atime(), meta.atime_nsec()))),
        ),
        ("birthtime", date(scope, birth)),
        (
            "ctime",
            date(scope, Some(millis(meta.ctime(), meta.ctime_nsec()))),
        ),
        ("dev", number(scope, meta.dev() as f64)),
        ("ino", number(scope, meta.ino() as f64)),
        ("mode", number(scope, meta.mode() as f64)),
        ("nlink", number(scope, meta.nlink() as f64)),
        ("uid", number(scope, meta.uid() as f64)),
        ("gid", number(scope, meta.gid() as f64)),
        ("rdev", number(scope, meta.rdev() as f64)),
        ("blksize", number(scope, meta.blksize() as f64)),
        ("blocks", number(scope, meta.blocks() as f64)),
        ("isBlockDevice", boolean(scope, kind.is_block_device())),
        ("isCharDevice", boolean(scope, kind.is_char_device())),
        ("isFifo", boolean(scope, kind.is_fifo())),
        ("isSocket", boolean(scope, kind.is_socket())),
    ];
    let object = v8::Object::new(scope);
    for (key, value) in entries {
        let key = v8::String::new(scope, key).expect("short string");
        object.set(scope, key.into(), value);
    }
    object
}

/// `remove(path, recursive)`: a file, an empty directory, or (recursive)
/// a directory and everything in it.
fn remove(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let path = args.get(0).to_rust_string_lossy(scope);
    let recursive = args.get(1).is_true();
    if !allowed(scope, "write", &path) {
        return;
    }
    let result =
        std::fs::symlink_metadata(&path).and_then(|meta| match (meta.is_dir(), recursive) {
            (true, true) => std::fs::remove_dir_all(&path),
            (true, false) => std::fs::remove_dir(&path),
            (false, _) => std::fs::remove_file(&path),
        });
    if let Err(e) = result {
        throw_io(scope, &e, "remove", &path);
    }
}

/// `mkdir(path, recursive, mode)`.
fn mkdir(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let path = args.get(0).to_rust_string_lossy(scope);
    let recursive = args.get(1).is_true();
    let mode = args.get(2).uint32_value(scope).unwrap_or(0o777);
    if !allowed(scope, "write", &path) {
        return;
    }
    let result = std::fs::DirBuilder::new()
        .recursive(recursive)
        .mode(mode)
        .create(&path);
    if let Err(e) = result {
        throw_io(scope, &e, "mkdir", &path);
    }
}

/// `makeTempDir(dir, prefix, suffix)`: creates a new directory (mode 0700)
/// named `prefix`, 16 random characters and `suffix` in `dir` (the
/// system's temporary directory when `undefined`) and gives its path.
fn make_temp_dir(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let dir = args.get(0);
    let (dir, shown) = if dir.is_undefined() {
        let temp = std::env::temp_dir().display().to_string();
        (temp, permissions::TEMP_DIR.to_owned())
    } else {
        let dir = dir.to_rust_string_lossy(scope);
        (dir.clone(), dir)
    };
    let prefix = args.get(1).to_rust_string_lossy(scope);
    let suffix = args.get(2).to_rust_string_lossy(scope);
    if let Err(message) = permissions::check_as("write", &dir, &shown) {
        return throw_deno(scope, "NotCapable", &message, None);
    }
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for _ in 0..100 {
        let mut random = [0u8; 16];
        if let Err(e) = super::natives::fill_random(&mut random) {
            return throw_io(scope, &e, "tmpdir", "");
        }
        let name: String = random
            .iter()
            .map(|b| CHARS[*b as usize % CHARS.len()] as char)
            .collect();
        let path = Path::new(&dir).join(format!("{prefix}{name}{suffix}"));
        match std::fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => {
                let text = path.display().to_string();
                if let Some(text) = v8::String::new(scope, &text) {
                    rv.set(text.into());
                }
                return;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return throw_io(scope, &e, "tmpdir", ""),
        }
    }
    let e = std::io::Error::from(std::io::ErrorKind::AlreadyExists);
    throw_io(scope, &e, "tmpdir", "");
}

/// `chdir(path)`: changes the working directory (needs read access to it).
fn chdir(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let path = args.get(0).to_rust_string_lossy(scope);
    if !allowed(scope, "read", &path) {
        return;
    }
    if let Err(e) = std::env::set_current_dir(&path) {
        throw_io(scope, &e, "chdir", &path);
    }
}

/// Adds the file system natives to `object`.
pub fn install(scope: &mut v8::PinScope, object: v8::Local<v8::Object>) {
    use ffic_deno::set_function;
    set_function(scope, object, "readFile", read_file);
    set_function(scope, object, "writeFile", write_file);
    set_function(scope, object, "stat", stat);
    set_function(scope, object, "remove", remove);
    set_function(scope, object, "mkdir", mkdir);
    set_function(scope, object, "makeTempDir", make_temp_dir);
    set_function(scope, object, "chdir", chdir);
}

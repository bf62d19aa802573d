//! `ffic test`: finds the test modules as `deno test` does and starts the
//! runner in `js/test.js` on them; the natives it reports through (paths
//! as Deno shows them, errors with their source line) and the per-test
//! permissions.

use super::{errors, modules, permissions, state};
use std::path::{Path, PathBuf};

type Args<'s> = v8::FunctionCallbackArguments<'s>;
type Ret<'s> = v8::ReturnValue<'s, v8::Value>;

/// Whether `name` is a test module's, as Deno decides: `test.EXT`,
/// `*_test.EXT` or `*.test.EXT`, for the extensions it runs.
fn is_test_module(name: &str) -> bool {
    const EXTENSIONS: [&str; 6] = ["ts", "tsx", "mts", "js", "mjs", "jsx"];
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return false;
    };
    EXTENSIONS.contains(&extension)
        && (stem == "test" || stem.ends_with("_test") || stem.ends_with(".test"))
}

/// The test modules under `dir`, sorted, skipping hidden directories and
/// `node_modules`.
fn discover(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            if !name.starts_with('.') && name != "node_modules" {
                discover(&path, found)?;
            }
        } else if is_test_module(&name) {
            found.push(path);
        }
    }
    Ok(())
}

/// The test modules the arguments name (files as given, directories
/// searched; none: the working directory searched), resolved.
pub fn modules(given: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let roots = if given.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        given.to_vec()
    };
    let mut found = Vec::new();
    for root in roots {
        let path = std::fs::canonicalize(&root)
            .map_err(|e| format!("Module not found \"{}\": {e}", root.display()))?;
        if path.is_dir() {
            discover(&path, &mut found)
                .map_err(|e| format!("Cannot read \"{}\": {e}", root.display()))?;
        } else {
            found.push(path);
        }
    }
    if found.is_empty() {
        return Err("No test modules found".into());
    }
    Ok(found)
}

/// A module's URL as Deno's report shows it: `./relative` under the
/// working directory, else the URL.
fn shown(url: &str) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    match modules::url_path(url) {
        Some(path) => match path.strip_prefix(&cwd) {
            Ok(relative) => format!("./{}", relative.display()),
            Err(_) => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Calls the runner on `files` with `filter`; its promise of the exit
/// status, or the status if the runner could not start.
pub fn start(
    scope: &mut v8::PinScope,
    files: &[PathBuf],
    filter: Option<&str>,
) -> Result<v8::Global<v8::Promise>, u8> {
    let Some(hooks) = state::with(|s| s.hooks.clone()) else {
        return Err(1);
    };
    let pairs: Vec<v8::Local<v8::Value>> = files
        .iter()
        .map(|file| {
            let url = modules::file_url(file);
            let parts = [url.clone(), shown(&url)].map(|text| {
                let text = v8::String::new(scope, &text).expect("path fits a string");
                v8::Local::<v8::Value>::from(text)
            });
            v8::Array::new_with_elements(scope, &parts).into()
        })
        .collect();
    let files = v8::Array::new_with_elements(scope, &pairs);
    let filter: v8::Local<v8::Value> = match filter.and_then(|f| v8::String::new(scope, f)) {
        Some(filter) => filter.into(),
        None => v8::undefined(scope).into(),
    };
    let run = v8::Local::new(scope, &hooks.run_tests);
    v8::tc_scope!(let tc, scope);
    let undefined = v8::undefined(tc).into();
    let result = run.call(tc, undefined, &[files.into(), filter]);
    match result.and_then(|r| v8::Local::<v8::Promise>::try_from(r).ok()) {
        Some(promise) => Ok(v8::Global::new(tc, promise)),
        None => {
            let exception = tc.exception();
            let text = errors::caught(tc, exception);
            eprintln!("error: {text}");
            Err(1)
        }
    }
}

/// `shownPath(url)`: see [`shown`].
fn shown_path(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let url = args.get(0).to_rust_string_lossy(scope);
    if let Some(text) = v8::String::new(scope, &shown(&url)) {
        rv.set(text.into());
    }
}

/// `describeError(error)`: its stack with the source line, as Deno's test
/// report shows a failure, without the runner's own frames.
fn describe_error(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let text = errors::describe(scope, args.get(0));
    let runner = format!("({}:", super::host_url("test"));
    let text: Vec<&str> = text
        .lines()
        .filter(|line| !(line.starts_with("    at ") && line.contains(&runner)))
        .collect();
    let text = text.join("\n");
    if let Some(text) = v8::String::new(scope, &errors::with_source_line(&text)) {
        rv.set(text.into());
    }
}

/// `pushPermissions(json)`: a test's permissions until `popPermissions()`;
/// throws Deno's NotCapable if they ask for more than the run has.
fn push_permissions(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let json = args.get(0).to_rust_string_lossy(scope);
    if let Err(message) = permissions::push(&json) {
        errors::throw_deno(scope, "NotCapable", &message, None);
    }
}

/// `popPermissions()`: back to the permissions before the last push.
fn pop_permissions(_: &mut v8::PinScope, _: Args, _: Ret) {
    permissions::pop();
}

/// Adds the runner's natives to `object`.
pub fn install(scope: &mut v8::PinScope, object: v8::Local<v8::Object>) {
    use ffic_deno::set_function;
    set_function(scope, object, "shownPath", shown_path);
    set_function(scope, object, "describeError", describe_error);
    set_function(scope, object, "pushPermissions", push_permissions);
    set_function(scope, object, "popPermissions", pop_permissions);
}

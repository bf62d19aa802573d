//! ES modules from files: specifiers resolved against the importing module,
//! the whole static graph loaded before instantiation, JSON modules (`with {
//! type: "json" }`), dynamic `import()`, and `import.meta` (`url`, `main`,
//! `filename`, `dirname`).

use super::state::{self, LoadedModule};
use std::path::{Path, PathBuf};

/// The `file://` URL of an absolute path, percent-encoding what URLs need.
pub fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(char::from(*byte))
            }
            other => url.push_str(&format!("%{other:02X}")),
        }
    }
    url
}

/// Decodes `%XX` escapes of a `file://` URL's path.
pub(super) fn url_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("file://")?;
    let mut bytes = Vec::with_capacity(rest.len());
    let mut iter = rest.bytes();
    while let Some(b) = iter.next() {
        if b == b'%' {
            let hex = [iter.next()?, iter.next()?];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    Some(PathBuf::from(String::from_utf8(bytes).ok()?))
}

/// Removes `.` and `..` components without touching the file system; a
/// relative path stays relative (a leading `..` stays).
pub(super) fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match (part, out.components().next_back()) {
            (Component::CurDir, _) | (Component::ParentDir, Some(Component::RootDir)) => {}
            (Component::ParentDir, Some(Component::Normal(_))) => {
                out.pop();
            }
            (other, _) => out.push(other),
        }
    }
    out
}

/// The file `specifier` names, imported from the module at `referrer`.
fn resolve(specifier: &str, referrer: &Path) -> Result<PathBuf, String> {
    if specifier.starts_with("file://") {
        return url_path(specifier)
            .map(|p| normalize(&p))
            .ok_or_else(|| format!("Invalid URL: \"{specifier}\""));
    }
    if specifier.starts_with('/') {
        return Ok(normalize(Path::new(specifier)));
    }
    if specifier.starts_with("./") || specifier.starts_with("../") {
        let dir = referrer.parent().unwrap_or(Path::new("/"));
        return Ok(normalize(&dir.join(specifier)));
    }
    Err(format!(
        "Relative import path \"{specifier}\" not prefixed with / or ./ or ../\n    at {}",
        file_url(referrer)
    ))
}

/// Compiles the file at `path` (JSON when `json`) and records it.
fn compile<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    path: &Path,
    json: bool,
    main: bool,
) -> Result<v8::Local<'s, v8::Module>, String> {
    let url = file_url(path);
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("Module not found \"{url}\": {e}"))?;
    let typescript = super::typescript::is_typescript(path);
    let source_text = if json {
        // Validate first, so a bad file is reported as JSON, not as JS.
        serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|e| format!("SyntaxError: {url}: {e}"))?;
        format!("export default {text};")
    } else if typescript {
        // Stack traces through it name the .ts file's lines from now on.
        scope.set_prepare_stack_trace_callback(super::sourcemaps::prepare_stack_trace);
        let output = match super::transpiled::load(path, &url, &text) {
            Some(cached) => cached,
            None => {
                let output = super::typescript::transpile(path, &url, &text)?;
                super::transpiled::store(path, &url, &text, &output);
                output
            }
        };
        super::sourcemaps::register(&url, output.tokens.into_iter());
        output.code
    } else {
        text
    };
    let name = v8::String::new(scope, &url).ok_or("module URL too long")?;
    let code = v8::String::new(scope, &source_text).ok_or("module source too long")?;
    let origin = ffic_deno::script_origin(scope, name, true);
    let cache = ffic_loader::Cache::from_env();
    v8::tc_scope!(let tc, scope);
    let (module, pending) = ffic_deno::code_cache::compile_module(
        tc,
        cache.as_ref(),
        (code, &origin),
        (&url, &source_text),
    );
    let Some(module) = module else {
        let exception = tc.exception();
        let text = super::errors::caught(tc, exception);
        // A JavaScript syntax error is located as Deno locates it (not in
        // transpiled TypeScript, whose lines are not the file's).
        let line = tc
            .message()
            .and_then(|m| Some((m.get_line_number(tc)?, m.get_start_column())));
        return Err(match line {
            Some((line, column)) if !json && !typescript && text.starts_with("SyntaxError") => {
                super::errors::located_syntax_error(&text, &url, &source_text, line, column + 1)
            }
            _ => text,
        });
    };
    let global = v8::Global::new(tc, module);
    state::with(|s| {
        s.by_path.insert(path.to_owned(), s.modules.len());
        s.modules.push(LoadedModule {
            path: path.to_owned(),
            url,
            module: global,
            main,
        });
        s.compiled.extend(pending);
    });
    Ok(module)
}

/// Whether an import's attributes ask for JSON. Static imports list them as
/// [key, value, offset] (`stride` 3), dynamic ones as [key, value] (2).
fn wants_json(
    scope: &mut v8::PinScope,
    attributes: v8::Local<v8::FixedArray>,
    stride: usize,
) -> bool {
    (0..attributes.length() / stride).any(|i| {
        let text = |scope: &mut v8::PinScope, k: usize| {
            attributes
                .get(scope, k)
                .and_then(|d| v8::Local::<v8::String>::try_from(d).ok())
                .map(|s| s.to_rust_string_lossy(scope))
        };
        text(scope, stride * i).as_deref() == Some("type")
            && text(scope, stride * i + 1).as_deref() == Some("json")
    })
}

/// Loads the module at `path` (JSON when `json`) and everything it imports
/// statically; a module loaded before is reused, as imports share instances.
pub fn load_graph<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    path: &Path,
    json: bool,
    main: bool,
) -> Result<v8::Local<'s, v8::Module>, String> {
    if let Some(loaded) = state::with(|s| s.by_path.get(path).map(|&i| s.modules[i].module.clone()))
    {
        return Ok(v8::Local::new(scope, loaded));
    }
    let root = compile(scope, path, json, main)?;
    if json {
        return Ok(root);
    }
    let mut pending = vec![(path.to_owned(), root)];
    while let Some((referrer, module)) = pending.pop() {
        let requests = module.get_module_requests();
        for i in 0..requests.length() {
            let Some(request) = requests
                .get(scope, i)
                .and_then(|d| v8::Local::<v8::ModuleRequest>::try_from(d).ok())
            else {
                continue;
            };
            let specifier = request.get_specifier().to_rust_string_lossy(scope);
            let target = resolve(&specifier, &referrer)?;
            if state::with(|s| s.by_path.contains_key(&target)) {
                continue;
            }
            let json = wants_json(scope, request.get_import_attributes(), 3);
            let dependency = compile(scope, &target, json, false)?;
            if !json {
                pending.push((target, dependency));
            }
        }
    }
    Ok(root)
}

/// The loaded module `module` is, by identity.
fn find(scope: &mut v8::PinScope, module: v8::Local<v8::Module>) -> Option<usize> {
    state::with(|s| {
        s.modules
            .iter()
            .position(|m| v8::Local::new(scope, &m.module) == module)
    })
}

/// V8's resolve callback: every module was loaded by [`load_graph`].
pub fn resolve_callback<'s>(
    context: v8::Local<'s, v8::Context>,
    specifier: v8::Local<'s, v8::String>,
    _attributes: v8::Local<'s, v8::FixedArray>,
    referrer: v8::Local<'s, v8::Module>,
) -> Option<v8::Local<'s, v8::Module>> {
    // SAFETY: V8 calls this during instantiation, inside the context it passes.
    v8::callback_scope!(unsafe scope, context);
    let specifier = specifier.to_rust_string_lossy(scope);
    let referrer_path = find(scope, referrer).map(|i| state::with(|s| s.modules[i].path.clone()));
    let target = referrer_path.and_then(|r| resolve(&specifier, &r).ok());
    let global = target
        .and_then(|t| state::with(|s| s.by_path.get(&t).map(|&i| s.modules[i].module.clone())));
    match global {
        Some(g) => Some(v8::Local::new(scope, &g)),
        None => {
            let message = format!("Cannot resolve module \"{specifier}\"");
            super::errors::throw_type_error(scope, &message);
            None
        }
    }
}

/// V8's dynamic `import()` hook: loads, instantiates and evaluates the
/// module, and gives a promise of its namespace (after its top-level await).
pub fn import_dynamically<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    _options: v8::Local<'s, v8::Data>,
    resource: v8::Local<'s, v8::Value>,
    specifier: v8::Local<'s, v8::String>,
    attributes: v8::Local<'s, v8::FixedArray>,
) -> Option<v8::Local<'s, v8::Promise>> {
    let resource = resource.to_rust_string_lossy(scope);
    let referrer = url_path(&resource).unwrap_or_else(|| PathBuf::from(&resource));
    let specifier = specifier.to_rust_string_lossy(scope);
    let json = wants_json(scope, attributes, 2);
    let module =
        match resolve(&specifier, &referrer).and_then(|p| load_graph(scope, &p, json, false)) {
            Ok(module) => module,
            Err(message) => {
                let message = v8::String::new(scope, &message)?;
                let error = v8::Exception::type_error(scope, message);
                return rejected(scope, error);
            }
        };
    v8::tc_scope!(let tc, scope);
    let evaluated = if module.get_status() == v8::ModuleStatus::Uninstantiated
        && module.instantiate_module(tc, resolve_callback) != Some(true)
    {
        None
    } else {
        module.evaluate(tc)
    };
    let Some(evaluated) = evaluated.and_then(|e| v8::Local::<v8::Promise>::try_from(e).ok()) else {
        let exception = tc.exception().unwrap_or_else(|| v8::undefined(tc).into());
        return rejected(tc, exception);
    };
    let namespace = module.get_module_namespace();
    let give_namespace = v8::Function::builder(return_data)
        .data(namespace)
        .build(tc)?;
    evaluated.then(tc, give_namespace)
}

/// A promise rejected with `reason`.
fn rejected<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    reason: v8::Local<'s, v8::Value>,
) -> Option<v8::Local<'s, v8::Promise>> {
    let resolver = v8::PromiseResolver::new(scope)?;
    resolver.reject(scope, reason);
    Some(resolver.get_promise(scope))
}

/// Returns the function's data (the namespace, once evaluation settles).
fn return_data(
    _: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    rv.set(args.data());
}

/// Fills `import.meta` for a loaded module.
pub extern "C" fn import_meta(
    context: v8::Local<v8::Context>,
    module: v8::Local<v8::Module>,
    meta: v8::Local<v8::Object>,
) {
    // SAFETY: V8 calls this while running the module, inside `context`.
    v8::callback_scope!(unsafe scope, context);
    v8::scope!(let scope, scope);
    let Some(index) = find(scope, module) else {
        return;
    };
    let (url, path, main) = state::with(|s| {
        let m = &s.modules[index];
        (m.url.clone(), m.path.clone(), m.main)
    });
    let dirname = path
        .parent()
        .unwrap_or(Path::new("/"))
        .to_string_lossy()
        .into_owned();
    let set = |scope: &mut v8::PinScope, key: &str, value: v8::Local<v8::Value>| {
        let key = v8::String::new(scope, key).expect("short string");
        meta.create_data_property(scope, key.into(), value);
    };
    let strings = [
        ("url", url),
        ("filename", path.to_string_lossy().into_owned()),
        ("dirname", dirname),
    ];
    for (key, value) in strings {
        if let Some(value) = v8::String::new(scope, &value) {
            set(scope, key, value.into());
        }
    }
    let main = v8::Boolean::new(scope, main);
    set(scope, "main", main.into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_resolve_like_deno() {
        let referrer = Path::new("/a/b/main.js");
        assert_eq!(resolve("./c.js", referrer), Ok(PathBuf::from("/a/b/c.js")));
        assert_eq!(resolve("../c.js", referrer), Ok(PathBuf::from("/a/c.js")));
        assert_eq!(resolve("/x/./y.js", referrer), Ok(PathBuf::from("/x/y.js")));
        assert_eq!(
            resolve("file:///x/a%20b.js", referrer),
            Ok(PathBuf::from("/x/a b.js"))
        );
        assert!(
            resolve("c.js", referrer)
                .unwrap_err()
                .contains("not prefixed")
        );
    }

    #[test]
    fn file_urls_encode_what_urls_need() {
        assert_eq!(file_url(Path::new("/a b/c%.js")), "file:///a%20b/c%25.js");
        assert_eq!(
            url_path(&file_url(Path::new("/é/x.js"))),
            Some(PathBuf::from("/é/x.js"))
        );
    }
}

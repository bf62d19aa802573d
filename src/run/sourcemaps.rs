//! Stack traces that name TypeScript sources: the source map of each
//! transpiled module, and V8's prepare-stack-trace hook, which writes a
//! stack as V8 would (the error's `name: message`, then each call site as
//! V8 prints it) with every position in a transpiled module mapped back to
//! its line and column in the `.ts` file, as Deno does.

use std::cell::RefCell;
use std::collections::HashMap;

/// One transpiled module's mappings: per generated line (from 0), its
/// tokens as (generated column, source line, source column), all from 0,
/// by generated column.
type Lines = Vec<Vec<(u32, u32, u32)>>;

thread_local! {
    /// Mappings by module URL.
    static MAPS: RefCell<HashMap<String, Lines>> = RefCell::new(HashMap::new());
}

/// Records the source map of the module at `url`: its tokens as
/// (generated line, generated column, source line, source column), from 0.
pub fn register(url: &str, tokens: impl Iterator<Item = (u32, u32, u32, u32)>) {
    let mut lines: Lines = Vec::new();
    for (dst_line, dst_col, src_line, src_col) in tokens {
        let line = dst_line as usize;
        if lines.len() <= line {
            lines.resize_with(line + 1, Vec::new);
        }
        lines[line].push((dst_col, src_line, src_col));
    }
    for line in &mut lines {
        line.sort_unstable();
    }
    MAPS.with(|m| m.borrow_mut().insert(url.to_owned(), lines));
}

/// The source position (line and column from 1) of generated position
/// `line`:`column` (from 1) in the module at `url`, if it was transpiled.
fn original(url: &str, line: u32, column: u32) -> Option<(u32, u32)> {
    MAPS.with(|m| {
        let maps = m.borrow();
        let tokens = maps.get(url)?.get(line.checked_sub(1)? as usize)?;
        let column = column.checked_sub(1)?;
        // The last token at or before the column, else the line's first.
        let i = tokens.partition_point(|t| t.0 <= column);
        let &(_, src_line, src_col) = tokens.get(i.saturating_sub(1))?;
        Some((src_line + 1, src_col + 1))
    })
}

/// V8's hook for `error.stack` (installed once a TypeScript module is
/// loaded): V8's own format, positions in transpiled modules mapped.
pub fn prepare_stack_trace<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    error: v8::Local<'s, v8::Value>,
    sites: v8::Local<'s, v8::Array>,
) -> v8::Local<'s, v8::Value> {
    let mut text = header(scope, error);
    for i in 0..sites.length() {
        let Some(site) = sites
            .get_index(scope, i)
            .and_then(|s| v8::Local::<v8::Object>::try_from(s).ok())
        else {
            continue;
        };
        let Some(frame) = call(scope, site, "toString") else {
            continue;
        };
        let mut frame = frame.to_rust_string_lossy(scope);
        let url = call(scope, site, "getFileName").map(|u| u.to_rust_string_lossy(scope));
        let line = call(scope, site, "getLineNumber").and_then(|n| n.uint32_value(scope));
        let column = call(scope, site, "getColumnNumber").and_then(|n| n.uint32_value(scope));
        if let (Some(url), Some(line), Some(column)) = (url, line, column)
            && let Some((src_line, src_col)) = original(&url, line, column)
        {
            let generated = format!("{url}:{line}:{column}");
            if let Some(at) = frame.rfind(&generated) {
                frame.replace_range(
                    at..at + generated.len(),
                    &format!("{url}:{src_line}:{src_col}"),
                );
            }
        }
        text.push_str("\n    at ");
        text.push_str(&frame);
    }
    v8::String::new(scope, &text).map_or_else(|| v8::undefined(scope).into(), Into::into)
}

/// `error`'s first stack line, as V8 writes it: `name: message`, either
/// alone when the other is empty.
fn header(scope: &mut v8::PinScope, error: v8::Local<v8::Value>) -> String {
    let Ok(object) = v8::Local::<v8::Object>::try_from(error) else {
        return error.to_rust_string_lossy(scope);
    };
    let field = |scope: &mut v8::PinScope, key: &str, default: &str| {
        let key = v8::String::new(scope, key).expect("short key");
        match object.get(scope, key.into()) {
            Some(v) if !v.is_undefined() => v.to_rust_string_lossy(scope),
            _ => default.to_owned(),
        }
    };
    let name = field(scope, "name", "Error");
    let message = field(scope, "message", "");
    match (name.is_empty(), message.is_empty()) {
        (true, _) => message,
        (false, true) => name,
        (false, false) => format!("{name}: {message}"),
    }
}

/// `object[method]()`, if it is a function that returns.
fn call<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    object: v8::Local<'s, v8::Object>,
    method: &str,
) -> Option<v8::Local<'s, v8::Value>> {
    let key = v8::String::new(scope, method)?;
    let function = v8::Local::<v8::Function>::try_from(object.get(scope, key.into())?).ok()?;
    function.call(scope, object.into(), &[])
}

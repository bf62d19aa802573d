//! Uncaught errors: describing a thrown value for the user, and tracking
//! promises rejected with no handler (reported, like Deno, once the
//! microtasks have run and nothing has handled them).

use super::state;

pub use ffic_deno::throw_type_error;

/// Throws a new `Deno.errors[class]` with `message` and, if given, `code`
/// (a TypeError before the bootstrap has made the classes).
pub fn throw_deno(scope: &mut v8::PinScope, class: &str, message: &str, code: Option<&str>) {
    let Some(hooks) = state::with(|s| s.hooks.clone()) else {
        return throw_type_error(scope, message);
    };
    let make = v8::Local::new(scope, &hooks.error);
    let undefined = v8::undefined(scope).into();
    let strings = [Some(class), Some(message), code].map(|s| match s {
        Some(s) => {
            v8::String::new(scope, s).map_or_else(|| v8::undefined(scope).into(), Into::into)
        }
        None => v8::undefined(scope).into(),
    });
    // A throw inside is left pending, which is what the caller wants too.
    if let Some(error) = make.call(scope, undefined, &strings) {
        scope.throw_exception(error);
    }
}

/// Text for a thrown value: an error's stack (its message and frames), else
/// the value as a string.
pub fn describe(scope: &mut v8::PinScope, value: v8::Local<v8::Value>) -> String {
    if let Ok(object) = v8::Local::<v8::Object>::try_from(value)
        && value.is_native_error()
    {
        let key = v8::String::new(scope, "stack").expect("short string");
        if let Some(stack) = object.get(scope, key.into())
            && stack.is_string()
        {
            return stack.to_rust_string_lossy(scope);
        }
    }
    if value.is_string() {
        return format!("\"{}\"", value.to_rust_string_lossy(scope));
    }
    value.to_rust_string_lossy(scope)
}

/// A syntax error's `message` in Deno's layout: the line `line` (from 1)
/// of `source`, a marker under column `column` (from 1, in characters),
/// and the location in `url`.
pub fn located_syntax_error(
    message: &str,
    url: &str,
    source: &str,
    line: usize,
    column: usize,
) -> String {
    let text = source.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let mark = " ".repeat(column.saturating_sub(1));
    format!("{message}\n{pad} |\n{number} | {text}\n{pad} | {mark}~\n    at {url}:{line}:{column}")
}

/// An uncaught error's stack `text` with, as Deno prints it, the source
/// line of its first frame in a file (the host's `ext:` frames have none)
/// and a caret under the column, after the message.
pub fn with_source_line(text: &str) -> String {
    let Some(at) = text.find("\n    at ") else {
        return text.to_owned();
    };
    let (message, frames) = text.split_at(at);
    let located = frames[1..].lines().find_map(|frame| {
        let location = frame.trim_end_matches(')');
        let location = location.rsplit_once('(').map_or(location, |(_, l)| l);
        let location = location.trim_start().trim_start_matches("at ");
        let mut parts = location.rsplitn(3, ':');
        let (column, line, url) = (parts.next()?, parts.next()?, parts.next()?);
        let path = super::modules::url_path(url)?;
        Some((
            path,
            line.parse::<usize>().ok()?,
            column.parse::<usize>().ok()?,
        ))
    });
    let Some((path, line, column)) = located else {
        return text.to_owned();
    };
    let source = std::fs::read_to_string(path).ok();
    let Some(source_line) = source
        .as_deref()
        .and_then(|s| s.lines().nth(line.saturating_sub(1)))
    else {
        return text.to_owned();
    };
    let caret = " ".repeat(column.saturating_sub(1));
    format!("{message}\n{source_line}\n{caret}^{frames}")
}

/// Text for what a TryCatch caught (`exception`, taken from it).
pub fn caught(scope: &mut v8::PinScope, exception: Option<v8::Local<v8::Value>>) -> String {
    match exception {
        Some(e) => describe(scope, e),
        None => "unknown error".into(),
    }
}

/// V8's promise rejection hook: remembers rejections with no handler and
/// forgets them when a handler arrives later.
pub extern "C" fn promise_rejected(message: v8::PromiseRejectMessage) {
    // SAFETY: V8 calls this on the isolate's thread, inside a context.
    v8::callback_scope!(unsafe scope, &message);
    let promise = message.get_promise();
    match message.get_event() {
        v8::PromiseRejectEvent::PromiseRejectWithNoHandler => {
            let value = message
                .get_value()
                .unwrap_or_else(|| v8::undefined(scope).into());
            let entry = (
                v8::Global::new(scope, promise),
                v8::Global::new(scope, value),
            );
            state::with(|s| s.unhandled.push(entry));
        }
        v8::PromiseRejectEvent::PromiseHandlerAddedAfterReject => {
            state::with(|s| {
                let handled = s
                    .unhandled
                    .iter()
                    .position(|(p, _)| v8::Local::new(scope, p) == promise);
                if let Some(i) = handled {
                    s.unhandled.remove(i);
                }
            });
        }
        _ => {}
    }
}

/// The oldest rejection still unhandled (promise, reason) but of `except`,
/// taken off the list.
pub fn take_unhandled(
    except: Option<&v8::Global<v8::Promise>>,
) -> Option<(v8::Global<v8::Promise>, v8::Global<v8::Value>)> {
    state::with(|s| {
        let index = s.unhandled.iter().position(|(p, _)| Some(p) != except)?;
        Some(s.unhandled.remove(index))
    })
}

//! Paths into a JSON document: segments, their JSON Pointer (RFC 6901) and a
//! JSONPath-style rendering for people (`$.add.parameters[1]`).

use serde::Serialize;
use serde_json::Value;
use std::fmt::Write;

/// One step into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// An object member.
    Key(String),
    /// An array item.
    Index(usize),
}

/// `text` as a JSON string literal, quotes and escapes included.
pub fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// The JSON Pointer of a path (`""` for the root).
pub fn pointer_of(path: &[PathSegment]) -> String {
    let mut out = String::new();
    for segment in path {
        out.push('/');
        match segment {
            PathSegment::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            PathSegment::Index(i) => {
                let _ = write!(out, "{i}");
            }
        }
    }
    out
}

/// The path a JSON Pointer names inside `value`. Resolving against the value
/// tells an array index from a numeric object key, which a pointer alone cannot.
pub fn path_from_pointer(value: &Value, pointer: &str) -> Vec<PathSegment> {
    let mut path = Vec::new();
    let mut here = Some(value);
    for raw in pointer.split('/').skip(1) {
        let key = raw.replace("~1", "/").replace("~0", "~");
        let segment = match (here, key.parse::<usize>()) {
            (Some(Value::Array(_)), Ok(index)) => PathSegment::Index(index),
            _ => PathSegment::Key(key),
        };
        here = here.and_then(|v| match &segment {
            PathSegment::Index(i) => v.get(i),
            PathSegment::Key(k) => v.get(k),
        });
        path.push(segment);
    }
    path
}

/// The JSONPath-style rendering of a path: `$`, `.key` or `["odd key"]`, `[index]`.
pub fn json_path_of(path: &[PathSegment]) -> String {
    let mut out = String::from("$");
    for segment in path {
        match segment {
            PathSegment::Key(key) if is_shorthand_name(key) => {
                out.push('.');
                out.push_str(key);
            }
            PathSegment::Key(key) => {
                out.push('[');
                out.push_str(&quoted(key));
                out.push(']');
            }
            PathSegment::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

/// True for names JSONPath (RFC 9535) may write as `.name`: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_shorthand_name(name: &str) -> bool {
    !name.starts_with(|c: char| c.is_ascii_digit())
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// True for `[A-Za-z_$][A-Za-z0-9_$]*`: a name usable as-is in JavaScript and C (bar `$`).
pub fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_pointers_and_paths() {
        let path = [
            PathSegment::Key("a/b~c".into()),
            PathSegment::Index(3),
            PathSegment::Key("struct".into()),
        ];
        assert_eq!(pointer_of(&path), "/a~1b~0c/3/struct");
        assert_eq!(json_path_of(&path), "$[\"a/b~c\"][3].struct");
        assert_eq!(pointer_of(&[]), "");
        let doc = serde_json::json!({"a/b~c": [0, 1, 2, {"struct": 1}], "7": {"": 0}});
        assert_eq!(path_from_pointer(&doc, "/a~1b~0c/3/struct"), path);
        assert_eq!(
            path_from_pointer(&doc, "/7/"),
            [
                PathSegment::Key("7".into()),
                PathSegment::Key(String::new())
            ]
        );
        assert_eq!(
            json_path_of(&[PathSegment::Key("$schema".into())]),
            "$[\"$schema\"]"
        );
        assert_eq!(json_path_of(&[]), "$");
    }
}

//! Source positions for JSON text that has already parsed: where each value and
//! each object member's key starts (by JSON Pointer), and which keys repeat
//! within one object. `serde_json` keeps neither, so this is a second, flat pass.

use std::collections::{HashMap, HashSet};

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// A key that appears more than once in one JSON object (JSON keeps the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// JSON Pointer of the member (the object's pointer plus the key).
    pub pointer: String,
    /// Where the key first appears.
    pub first: Position,
    /// Where it appears again.
    pub repeated: Position,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    value: Position,
    key: Option<Position>,
}

/// Positions of the values a caller asked for, and the repeated keys, of one
/// JSON text. Only asked-for pointers are kept, so memory does not grow with
/// the number of values in the file.
#[derive(Debug, Default)]
pub struct SourceMap {
    entries: HashMap<String, Entry>,
    duplicates: Vec<DuplicateKey>,
}

impl SourceMap {
    /// Where the value at `pointer` starts (for a repeated key, the last one, which JSON keeps).
    pub fn value(&self, pointer: &str) -> Option<Position> {
        self.entries.get(pointer).map(|e| e.value)
    }

    /// Where the key of the object member at `pointer` starts.
    pub fn key(&self, pointer: &str) -> Option<Position> {
        self.entries.get(pointer).and_then(|e| e.key)
    }

    /// Keys repeated within one object, in text order (at most the number asked for).
    pub fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    /// Scans `text`, which must already have parsed as JSON, recording the
    /// positions of the values at `wanted` pointers and up to `max_duplicates`
    /// repeated keys. On text that is not JSON it still terminates.
    pub fn build(text: &str, wanted: &HashSet<String>, max_duplicates: usize) -> SourceMap {
        let mut scan = Scanner {
            bytes: text.as_bytes(),
            text,
            at: 0,
            pos: Position { line: 1, column: 1 },
            pointer: String::new(),
            frames: Vec::new(),
            wanted,
            max_duplicates,
            map: SourceMap::default(),
        };
        scan.run();
        scan.map
    }
}

enum Container {
    Object {
        keys: HashMap<String, Position>,
        pending: Option<(String, Position)>,
    },
    Array {
        next: usize,
    },
}

/// An open object or array, and the length of its parent's pointer to go back to.
struct Frame {
    container: Container,
    parent_len: usize,
}

struct Scanner<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
    pos: Position,
    /// Pointer of the innermost open container.
    pointer: String,
    frames: Vec<Frame>,
    wanted: &'a HashSet<String>,
    max_duplicates: usize,
    map: SourceMap,
}

impl Scanner<'_> {
    fn bump(&mut self) {
        let b = self.bytes[self.at];
        self.at += 1;
        if b == b'\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else if b & 0xC0 != 0x80 {
            // Only the first byte of a UTF-8 sequence starts a new character.
            self.pos.column += 1;
        }
    }

    fn run(&mut self) {
        while self.at < self.bytes.len() {
            let start = self.pos;
            match self.bytes[self.at] {
                b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' => self.bump(),
                open @ (b'{' | b'[') => {
                    let child = self.begin_value(start);
                    let parent_len = self.pointer.len();
                    self.pointer = child;
                    let container = if open == b'{' {
                        Container::Object {
                            keys: HashMap::new(),
                            pending: None,
                        }
                    } else {
                        Container::Array { next: 0 }
                    };
                    self.frames.push(Frame {
                        container,
                        parent_len,
                    });
                    self.bump();
                }
                b'}' | b']' => {
                    if let Some(frame) = self.frames.pop() {
                        self.pointer.truncate(frame.parent_len);
                    }
                    self.bump();
                }
                b'"' => {
                    let from = self.at;
                    self.skip_string();
                    let raw = &self.text[from..self.at];
                    let pointer = &self.pointer;
                    match self.frames.last_mut().map(|f| &mut f.container) {
                        Some(Container::Object { keys, pending }) if pending.is_none() => {
                            // A string where a key is due: decode it as JSON does.
                            let key: String =
                                serde_json::from_str(raw).unwrap_or_else(|_| raw.to_owned());
                            if let Some(first) = keys.get(&key) {
                                if self.map.duplicates.len() < self.max_duplicates {
                                    self.map.duplicates.push(DuplicateKey {
                                        pointer: child_pointer(pointer, &key),
                                        first: *first,
                                        repeated: start,
                                    });
                                }
                            } else {
                                keys.insert(key.clone(), start);
                            }
                            *pending = Some((key, start));
                        }
                        _ => {
                            self.begin_value(start);
                        }
                    }
                }
                _ => {
                    // A number or literal: runs to the next delimiter.
                    self.begin_value(start);
                    while self.at < self.bytes.len()
                        && !matches!(
                            self.bytes[self.at],
                            b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}' | b':'
                        )
                    {
                        self.bump();
                    }
                }
            }
        }
    }

    fn skip_string(&mut self) {
        self.bump();
        while self.at < self.bytes.len() {
            match self.bytes[self.at] {
                b'\\' => {
                    self.bump();
                    if self.at < self.bytes.len() {
                        self.bump();
                    }
                }
                b'"' => {
                    self.bump();
                    return;
                }
                _ => self.bump(),
            }
        }
    }

    /// Records a value starting at `start` if it is wanted, and returns its pointer.
    fn begin_value(&mut self, start: Position) -> String {
        let (pointer, key) = match self.frames.last_mut().map(|f| &mut f.container) {
            None => (String::new(), None),
            Some(Container::Object { pending, .. }) => {
                // No pending key only happens on text that is not JSON.
                let (name, key_at) = match pending.take() {
                    Some((name, at)) => (name, Some(at)),
                    None => (String::new(), None),
                };
                (child_pointer(&self.pointer, &name), key_at)
            }
            Some(Container::Array { next }) => {
                *next += 1;
                (format!("{}/{}", self.pointer, *next - 1), None)
            }
        };
        if self.wanted.contains(&pointer) {
            self.map
                .entries
                .insert(pointer.clone(), Entry { value: start, key });
        }
        pointer
    }
}

/// The pointer of member `key` of the object at `parent`.
fn child_pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32) -> Option<Position> {
        Some(Position { line, column })
    }

    fn build(text: &str, wanted: &[&str]) -> SourceMap {
        let wanted = wanted.iter().map(|p| p.to_string()).collect();
        SourceMap::build(text, &wanted, 10)
    }

    #[test]
    fn locates_values_keys_and_array_items() {
        let text = "{\n  \"a\": {\"parameters\": [\"i32\", {\"struct\": [\"u8\"]}],\n  \"result\": \"f64\"}\n}";
        let map = build(
            text,
            &[
                "",
                "/a",
                "/a/parameters/0",
                "/a/parameters/1/struct/0",
                "/a/result",
            ],
        );
        assert_eq!(map.value(""), at(1, 1));
        assert_eq!(map.key("/a"), at(2, 3));
        assert_eq!(map.value("/a"), at(2, 8));
        assert_eq!(map.value("/a/parameters/0"), at(2, 24));
        assert_eq!(map.value("/a/parameters/1/struct/0"), at(2, 43));
        assert_eq!(map.value("/a/result"), at(3, 13));
        assert!(map.duplicates().is_empty());
    }

    #[test]
    fn columns_count_characters_and_keys_are_unescaped() {
        let text = "{\"é/\\u00e9~\": 1, \"ü\": [true]}";
        let map = build(text, &["/é~1é~0", "/ü/0"]);
        assert_eq!(map.key("/é~1é~0"), at(1, 2));
        assert_eq!(map.value("/é~1é~0"), at(1, 15));
        assert_eq!(map.value("/ü/0"), at(1, 24));
    }

    #[test]
    fn reports_repeated_keys_and_keeps_the_last_value() {
        let text = "{\"f\": 1,\n \"g\": 2,\n \"f\": 3}";
        let map = build(text, &["/f", "/g"]);
        assert_eq!(map.value("/g"), at(2, 7));
        assert_eq!(
            map.duplicates(),
            &[DuplicateKey {
                pointer: "/f".into(),
                first: Position { line: 1, column: 2 },
                repeated: Position { line: 3, column: 2 },
            }]
        );
        assert_eq!(map.value("/f"), at(3, 7));
    }

    #[test]
    fn keeps_only_wanted_positions_and_caps_duplicates() {
        let text = "{\"a\": 1, \"a\": 2, \"a\": 3, \"b\": [0]}";
        let map = SourceMap::build(text, &HashSet::from(["/b/0".to_string()]), 1);
        assert_eq!(map.value("/a"), None);
        assert_eq!(map.value("/b/0"), at(1, 32));
        assert_eq!(map.duplicates().len(), 1);
    }

    #[test]
    fn terminates_on_text_that_is_not_json() {
        for text in [
            "{\"a\": [1, 2",
            "]]]}}}",
            "\"unterminated",
            "{1: 2}",
            "\\",
            "\"\\é",
        ] {
            build(text, &["", "/a"]);
        }
    }
}

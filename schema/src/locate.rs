//! Source positions for JSON text that has already parsed: where each value and
//! each object member's key starts (by JSON Pointer), and which keys repeat
//! within one object. `serde_json` keeps neither, so this is a second, flat pass.

use crate::path::{PathSegment, pointer_of};
use std::collections::HashMap;

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
    /// Path of the member (the object's path plus the key).
    pub path: Vec<PathSegment>,
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

/// Positions of every value in a JSON text, by JSON Pointer.
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

    /// Keys repeated within one object, in text order.
    pub fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    /// Scans `text`, which must already have parsed as JSON.
    ///
    /// On text that is not JSON it still terminates and records what it can.
    pub fn build(text: &str) -> SourceMap {
        let mut scan = Scanner {
            bytes: text.as_bytes(),
            text,
            at: 0,
            pos: Position { line: 1, column: 1 },
            frames: Vec::new(),
            map: SourceMap::default(),
        };
        scan.run();
        scan.map
    }
}

enum Frame {
    Object {
        path: Vec<PathSegment>,
        keys: HashMap<String, Position>,
        pending: Option<(String, Position)>,
    },
    Array {
        path: Vec<PathSegment>,
        next: usize,
    },
}

struct Scanner<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
    pos: Position,
    frames: Vec<Frame>,
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
                b'{' => {
                    let path = self.begin_value(start);
                    self.frames.push(Frame::Object {
                        path,
                        keys: HashMap::new(),
                        pending: None,
                    });
                    self.bump();
                }
                b'[' => {
                    let path = self.begin_value(start);
                    self.frames.push(Frame::Array { path, next: 0 });
                    self.bump();
                }
                b'}' | b']' => {
                    self.frames.pop();
                    self.bump();
                }
                b'"' => {
                    let from = self.at;
                    self.skip_string();
                    let raw = &self.text[from..self.at];
                    match self.frames.last_mut() {
                        Some(Frame::Object {
                            path,
                            keys,
                            pending,
                        }) if pending.is_none() => {
                            // A string where a key is due: decode it as JSON does.
                            let key: String =
                                serde_json::from_str(raw).unwrap_or_else(|_| raw.to_owned());
                            if let Some(first) = keys.get(&key) {
                                let mut member = path.clone();
                                member.push(PathSegment::Key(key.clone()));
                                self.map.duplicates.push(DuplicateKey {
                                    path: member,
                                    first: *first,
                                    repeated: start,
                                });
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

    /// Records a value starting at `start` and returns its path.
    fn begin_value(&mut self, start: Position) -> Vec<PathSegment> {
        let (path, key) = match self.frames.last_mut() {
            None => (Vec::new(), None),
            Some(Frame::Object { path, pending, .. }) => {
                let mut member = path.clone();
                // No pending key only happens on text that is not JSON.
                let (name, key_at) = match pending.take() {
                    Some((name, at)) => (name, Some(at)),
                    None => (String::new(), None),
                };
                member.push(PathSegment::Key(name));
                (member, key_at)
            }
            Some(Frame::Array { path, next }) => {
                let mut member = path.clone();
                member.push(PathSegment::Index(*next));
                *next += 1;
                (member, None)
            }
        };
        self.map
            .entries
            .insert(pointer_of(&path), Entry { value: start, key });
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32) -> Option<Position> {
        Some(Position { line, column })
    }

    #[test]
    fn locates_values_keys_and_array_items() {
        let text = "{\n  \"a\": {\"parameters\": [\"i32\", {\"struct\": [\"u8\"]}],\n  \"result\": \"f64\"}\n}";
        let map = SourceMap::build(text);
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
        let map = SourceMap::build(text);
        assert_eq!(map.key("/é~1é~0"), at(1, 2));
        assert_eq!(map.value("/é~1é~0"), at(1, 15));
        assert_eq!(map.value("/ü/0"), at(1, 24));
    }

    #[test]
    fn reports_repeated_keys_and_keeps_the_last_value() {
        let text = "{\"f\": 1,\n \"g\": 2,\n \"f\": 3}";
        let map = SourceMap::build(text);
        assert_eq!(
            map.duplicates(),
            &[DuplicateKey {
                path: vec![PathSegment::Key("f".into())],
                first: Position { line: 1, column: 2 },
                repeated: Position { line: 3, column: 2 },
            }]
        );
        assert_eq!(map.value("/f"), at(3, 7));
    }

    #[test]
    fn terminates_on_text_that_is_not_json() {
        for text in ["{\"a\": [1, 2", "]]]}}}", "\"unterminated", "{1: 2}", "\\"] {
            SourceMap::build(text);
        }
    }
}

//! "Did you mean" suggestions: C spellings of native types, and the nearest
//! known name by edit distance for typos.

use crate::types::Primitive;

/// The native type a mistaken type name probably meant, if any. A C string is
/// a `buffer` when passed in (a NUL-terminated Uint8Array) and a `pointer`
/// when returned or stored (read with `UnsafePointerView.getCString`).
pub fn native_type_for(name: &str, as_parameter: bool) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase().replace("const ", "");
    let lower = lower
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" *", "*");
    let lower = lower.trim_end_matches("_t");
    let by_c_name = match lower {
        // Plain `char` is signed on x86-64 and unsigned on AArch64: no guess.
        "int8" | "signed char" | "sbyte" => "i8",
        "uint8" | "unsigned char" | "byte" | "uchar" => "u8",
        "int16" | "short" => "i16",
        "uint16" | "unsigned short" | "ushort" => "u16",
        "int" | "int32" | "integer" => "i32",
        "uint" | "uint32" | "unsigned" | "unsigned int" => "u32",
        "int64" | "long" | "long long" => "i64",
        "uint64" | "unsigned long" | "unsigned long long" | "ulong" => "u64",
        "size" => "usize",
        "ssize" | "ptrdiff" | "intptr" => "isize",
        "uintptr" => "usize",
        "float" | "float32" => "f32",
        "double" | "float64" | "number" => "f64",
        "_bool" | "boolean" => "bool",
        "void*" | "ptr" | "pointer*" | "handle" => "pointer",
        "string" | "cstring" | "char*" | "str" | "unsigned char*" | "uint8*" if as_parameter => {
            "buffer"
        }
        "string" | "cstring" | "char*" | "str" | "unsigned char*" | "uint8*" => "pointer",
        "callback" | "fn" | "func" | "function*" => "function",
        _ => "",
    };
    if !by_c_name.is_empty() {
        return Some(by_c_name);
    }
    let names: Vec<&str> = Primitive::deno().map(Primitive::name).collect();
    nearest(lower, &names)
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_native_types_for_c_names_and_typos() {
        let parameter = |name| native_type_for(name, true);
        assert_eq!(parameter("int32"), Some("i32"));
        assert_eq!(parameter("uint8_t"), Some("u8"));
        assert_eq!(parameter("double"), Some("f64"));
        assert_eq!(parameter("size_t"), Some("usize"));
        assert_eq!(parameter("I32"), Some("i32"));
        assert_eq!(parameter("poiner"), Some("pointer"));
        assert_eq!(parameter("bufer"), Some("buffer"));
        assert_eq!(parameter("quux"), None);
        assert_eq!(parameter("const char *"), Some("buffer"));
        assert_eq!(native_type_for("const  char*", false), Some("pointer"));
        assert_eq!(native_type_for("void *", false), Some("pointer"));
    }

    #[test]
    fn nearest_needs_a_close_match() {
        let fields = ["parameters", "result", "nonblocking", "optional", "name"];
        assert_eq!(nearest("nonblockng", &fields), Some("nonblocking"));
        assert_eq!(nearest("params", &fields), None);
        assert_eq!(nearest("Result", &fields), Some("result"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

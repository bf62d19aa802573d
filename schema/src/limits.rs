//! Sizes past which ffic refuses a descriptor that Deno would take: no real
//! C ABI needs them, and each bounds the work and memory one symbol can cost
//! the compiler, the JIT and every call. Checked on the normalised library,
//! so `check`, `compile`, the JIT and `Deno.dlopen` refuse alike.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::ir::{Library, SymbolKind, Type};
use crate::path::PathSegment;

/// Most parameters one function may take. C compilers must accept 127;
/// real APIs stay far below. The compiler's work grows faster than linearly
/// with a signature's length (0.55 s at 2,000 parameters), so a limit keeps
/// any descriptor's compile time bounded by its size.
pub const MAX_PARAMETERS: usize = 1024;

/// Largest struct passed or returned by value. Each by-value struct is
/// copied to the stack of the thread making the call; beyond this, stack
/// overflow on a worker thread becomes plausible.
pub const MAX_BY_VALUE_STRUCT: u64 = 64 * 1024;

/// The errors for every limit `library` exceeds.
pub(crate) fn limit_diagnostics(library: &Library) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for symbol in &library.symbols {
        let SymbolKind::Function { signature, .. } = &symbol.kind else {
            continue;
        };
        let path = |field: &str, index: Option<usize>| {
            let mut path = vec![
                PathSegment::Key(symbol.name.clone()),
                PathSegment::Key(field.to_owned()),
            ];
            path.extend(index.map(PathSegment::Index));
            path
        };
        let count = signature.parameters.len();
        if count > MAX_PARAMETERS {
            out.push(
                Diagnostic::new(
                    Severity::Error,
                    Code::TooManyParameters,
                    path("parameters", None),
                    format!("a function may take at most {MAX_PARAMETERS} parameters"),
                )
                .found(format!("{count} parameters"))
                .expected(format!("at most {MAX_PARAMETERS}")),
            );
        }
        // Where each type stands (`None`: the result), its path made only
        // for an error: every dlopen checks its descriptor.
        let by_value = signature
            .parameters
            .iter()
            .enumerate()
            .map(|(i, ty)| (ty, Some(i)))
            .chain([(&signature.result, None)]);
        for (ty, index) in by_value {
            if let Type::Struct(layout) = ty
                && layout.size > MAX_BY_VALUE_STRUCT
            {
                let at = match index {
                    Some(i) => path("parameters", Some(i)),
                    None => path("result", None),
                };
                out.push(
                    Diagnostic::new(
                        Severity::Error,
                        Code::StructTooLarge,
                        at,
                        format!(
                            "a struct passed by value may be at most {MAX_BY_VALUE_STRUCT} bytes"
                        ),
                    )
                    .found(format!("{} bytes", layout.size))
                    .expected(format!("at most {MAX_BY_VALUE_STRUCT} bytes"))
                    .help("pass a pointer to it instead (\"pointer\" or \"buffer\")"),
                );
            }
        }
    }
    out
}

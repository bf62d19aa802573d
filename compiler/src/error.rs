//! Errors of the compiler crate.

use std::path::PathBuf;

/// Why a library could not be compiled or its artifact written.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// Code generation for this architecture is not implemented.
    #[error("code generation for {0} is not supported yet (x86_64 only)")]
    UnsupportedTarget(&'static str),
    /// `void` in a parameter list (validation rejects it; kept as a guard).
    #[error("a parameter has type void")]
    VoidParameter,
    /// A re-entrant fast trampoline asked for a function with no value to
    /// store (the plan never asks; kept as a guard).
    #[error("a re-entrant fast trampoline for a function without a value result")]
    NoValueResult,
    /// A shim calls a function not before it (a bug in the plan).
    #[error("a shim calls a function that does not precede it")]
    ShimTarget,
    /// A struct too large to pass by value on a thread's stack (validation
    /// rejects it; kept as a guard).
    #[error("a struct of {size} bytes; at most {max} bytes can be passed by value", max = ffic_schema::MAX_BY_VALUE_STRUCT)]
    StructTooLarge {
        /// Its size in bytes.
        size: u64,
    },
    /// Cranelift rejected a function (a bug in the generator).
    #[error("cranelift failed on {function}: {message}")]
    Codegen {
        /// Which trampoline.
        function: String,
        /// Cranelift's message.
        message: String,
    },
    /// The code refers to something other than an import slot (a bug in the generator).
    #[error("{function} has an unexpected relocation {kind}")]
    UnexpectedRelocation {
        /// Which trampoline.
        function: String,
        /// The relocation.
        kind: String,
    },
    /// The artifact would exceed the format's 32-bit offsets.
    #[error("the artifact would be larger than 4 GiB")]
    TooLarge,
    /// Writing the artifact failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

//! Errors of the loader crate.

use ffic_compiler::artifact::format::DecodeError;
use std::path::PathBuf;

/// Why an artifact or library could not be loaded. Every artifact problem
/// says what was found and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read or mapped.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not one the loader may trust to stay as verified.
    #[error("rejected artifact {path}: {reason}")]
    Untrusted {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Not a well-formed artifact.
    #[error("rejected artifact: {0}")]
    Malformed(#[from] DecodeError),
    /// Well-formed, but made for another host or compiler.
    #[error("rejected artifact: {what} is {found}, this host needs {expected}")]
    Incompatible {
        /// Which property.
        what: &'static str,
        /// The artifact's.
        found: String,
        /// This host's.
        expected: String,
    },
    /// Compiled from other descriptors.
    #[error(
        "rejected artifact: descriptor digest {found}, the descriptors being loaded have {expected}"
    )]
    DigestMismatch {
        /// The artifact's.
        found: String,
        /// The descriptors'.
        expected: String,
    },
    /// The manifest does not describe the descriptors (despite the digest).
    #[error("rejected artifact: manifest entry for {symbol}: {reason}")]
    ManifestMismatch {
        /// The symbol.
        symbol: String,
        /// What differs.
        reason: String,
    },
    /// The JIT fallback could not compile the descriptors.
    #[error("cannot compile trampolines: {0}")]
    Compile(#[from] ffic_compiler::CompileError),
    /// libffi could not prepare a call interface.
    #[error("libffi cannot prepare a call for {signature}: {message}")]
    Libffi {
        /// The canonical signature.
        signature: String,
        /// libffi's status.
        message: String,
    },
    /// No memory could be mapped for a callback's code.
    #[error("cannot map memory for a callback: {0}")]
    CallbackMemory(std::io::Error),
    /// No memory could be mapped for a variadic function's thunk.
    #[error("cannot map memory for a variadic function's thunk: {0}")]
    ThunkMemory(std::io::Error),
    /// The cache directory cannot be used.
    #[error("cache directory {path}: {reason}")]
    Cache {
        /// The directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The native library could not be opened.
    #[error("cannot open native library {path}: {message}")]
    Library {
        /// The library path.
        path: PathBuf,
        /// The dynamic loader's message.
        message: String,
    },
    /// A required symbol is missing from the library.
    #[error("Failed to register symbol {name}: {message}")]
    MissingSymbol {
        /// The JS name.
        name: String,
        /// The dynamic loader's message.
        message: String,
    },
}

/// Why a call through the Rust API was refused. Checked before any native
/// code runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The descriptors have no symbol of that name.
    #[error("no symbol named {0} in the descriptors")]
    UnknownSymbol(String),
    /// An optional symbol the native library does not have.
    #[error("{0} is optional and absent from the native library")]
    Absent(String),
    /// A function the lazy JIT could bind neither to code nor to libffi.
    #[error("cannot bind {symbol}: {reason}")]
    Bind {
        /// The symbol.
        symbol: String,
        /// Why.
        reason: String,
    },
    /// A function pointer that is null.
    #[error("{0} is null")]
    NullFunction(String),
    /// A function was used as a static, or a static as a function.
    #[error("{symbol} is a {actual}, not a {wanted}")]
    WrongKind {
        /// The symbol.
        symbol: String,
        /// What it is.
        actual: &'static str,
        /// What the caller wanted.
        wanted: &'static str,
    },
    /// Too many or too few arguments.
    #[error("{symbol} takes {expected} arguments, got {found}")]
    ArgumentCount {
        /// The symbol.
        symbol: String,
        /// Its parameter count.
        expected: usize,
        /// Arguments given.
        found: usize,
    },
    /// An argument of the wrong type.
    #[error("{symbol}: argument {index} must be {expected}, got {found}")]
    ArgumentType {
        /// The symbol.
        symbol: String,
        /// Zero-based argument position.
        index: usize,
        /// The parameter's type.
        expected: String,
        /// The value given.
        found: String,
    },
}

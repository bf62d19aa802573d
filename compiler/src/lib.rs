//! ffic-compiler: one Cranelift IR generator for every trampoline kind, the
//! code emitter that links trampolines against an import table, and the
//! `.ffic` artifact format and writer. The loader's JIT fallback reuses the
//! same generator and emitter; only where the bytes go differs.

pub mod abi;
pub mod artifact;
pub mod callback;
pub mod emit;
mod error;
pub mod imports;
pub mod isa;
pub mod plan;
pub mod trampoline;
pub mod variadic;

pub use artifact::{COMPILER_VERSION, Compiled, compile_artifact, write_atomically};
pub use emit::{Code, CodeRange, Piece, Shim, compile_code};
pub use error::CompileError;
pub use plan::Plan;

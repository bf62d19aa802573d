//! ffic-schema: the descriptor format and everything derived from it before code
//! generation: types, JSON Schema, located diagnostics, normalisation to a
//! canonical signature IR, C struct layout and the descriptor digest.

mod binary;
mod check;
mod diagnostic;
mod digest;
mod ir;
pub mod json_schema;
mod layout;
mod limits;
mod locate;
pub mod native;
mod path;
mod place;
mod schema_check;
mod semantic;
pub use semantic::RESERVED_WORDS;
mod suggest;
pub mod types;
mod untagged;

pub use check::{MAX_DESCRIPTOR_BYTES, Report, check, prepare};
pub use diagnostic::{Code, Diagnostic, Severity};
pub use digest::{Digest, NameOrder};
pub use ir::{
    Constant, Field, FieldKind, Library, NamedStruct, Shape, Signature, StructLayout, Symbol,
    SymbolKind, Type,
};
pub use layout::{Arch, Target, struct_layout};
pub use limits::{MAX_BY_VALUE_STRUCT, MAX_PARAMETERS};
pub use locate::Position;
pub use path::{PathSegment, is_plain_identifier, quoted};

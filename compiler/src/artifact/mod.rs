//! Writing `.ffic` artifacts: the plan's trampolines compiled and linked,
//! then header, manifest, strings and code laid out as [`format`] defines,
//! checksummed, and written atomically. The same library always gives the
//! same bytes.

pub mod format;

use crate::emit::{CODE_FILL, compile_code};
use crate::imports::{HELPER_SLOTS, symbol_slot};
use crate::{CompileError, Plan, isa};
use ffic_schema::{Arch, Library, SymbolKind, Target};
use format::{
    ENTRY_SIZE, EntryKind, EntryRecord, FLAG_NONBLOCKING, FLAG_OPTIONAL, FORMAT_VERSION,
    HEADER_SIZE, Header, INVOKE_SIZE, InvokeRecord, NONE, Span, Writer,
};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The compiler version recorded in artifacts; the loader accepts only its own.
pub const COMPILER_VERSION: &str = concat!(
    "ffic-compiler ",
    env!("CARGO_PKG_VERSION"),
    " (cranelift 0.135.8)"
);

/// The page size code is laid out for on `target` (the largest Linux uses there).
pub fn page_size(target: Target) -> u32 {
    match target.arch {
        Arch::X86_64 => 4096,
        Arch::Aarch64 => 65536,
    }
}

/// A compiled artifact and what went into it.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Bytes of machine code (unpadded).
    pub code_len: usize,
    /// Fast trampolines (returning their result).
    pub fast_count: usize,
    /// Re-entrant forms of fast trampolines.
    pub reentrant_count: usize,
    /// Invoke trampolines (distinct signatures).
    pub invoke_count: usize,
}

/// Compiles every trampoline of `library` into artifact bytes.
pub fn compile_artifact(library: &Library) -> Result<Compiled, CompileError> {
    let target = library.target;
    let isa = isa::build(target)?;
    let plan = Plan::new(library, &*isa)?;
    let function_count = plan.functions.len();
    let reentrant_count = plan.reentrant.iter().flatten().count();
    let page = page_size(target);
    let Plan {
        symbols,
        signatures,
        fast,
        reentrant,
        invoke,
        functions,
    } = plan;
    let code = compile_code(&*isa, functions, page)?;

    let mut strings = Strings::default();
    let triple = strings.add(isa::triple(target));
    let compiler = strings.add(COMPILER_VERSION);
    let invokes: Vec<InvokeRecord> = signatures
        .iter()
        .zip(&code.ranges)
        .map(|(sig, range)| InvokeRecord {
            signature: strings.add(&sig.to_string()),
            code: Span {
                offset: range.offset,
                len: range.len,
            },
        })
        .collect();
    let span_of = |function: Option<usize>| {
        function.map_or(
            Span {
                offset: NONE,
                len: 0,
            },
            |f| Span {
                offset: code.ranges[f].offset,
                len: code.ranges[f].len,
            },
        )
    };
    let entries: Vec<EntryRecord> = symbols
        .iter()
        .enumerate()
        .map(|(i, symbol)| {
            let (kind, signature, nonblocking) = match &symbol.kind {
                SymbolKind::Function {
                    signature,
                    nonblocking,
                    ..
                } => (EntryKind::Function, signature.to_string(), *nonblocking),
                SymbolKind::Static { ty } => (EntryKind::Static, ty.to_string(), false),
            };
            let flags = if symbol.optional { FLAG_OPTIONAL } else { 0 }
                | if nonblocking { FLAG_NONBLOCKING } else { 0 };
            EntryRecord {
                name: strings.add(&symbol.name),
                native: strings.add(&symbol.native),
                signature: strings.add(&signature),
                kind,
                flags,
                import_slot: symbol_slot(i),
                fast: span_of(fast[i]),
                invoke: invoke[i].map_or(NONE, |v| v as u32),
                reentrant: span_of(reentrant[i]),
            }
        })
        .collect();

    let entries_at = HEADER_SIZE;
    let invokes_at = entries_at + entries.len() * ENTRY_SIZE;
    let strings_at = invokes_at + invokes.len() * INVOKE_SIZE;
    let code_offset = (strings_at + strings.bytes.len()).next_multiple_of(page as usize);
    let file_len = code_offset + code.bytes.len().next_multiple_of(page as usize);
    let u32_of = |n: usize| u32::try_from(n).map_err(|_| CompileError::TooLarge);
    let header = Header {
        format_version: FORMAT_VERSION,
        checksum: 0,
        page_size: page,
        cpu_features: isa::CPU_FEATURES,
        digest: library.digest().0,
        file_len: file_len as u64,
        code_offset: code_offset as u64,
        code_len: code.bytes.len() as u64,
        import_slots: HELPER_SLOTS + u32_of(symbols.len())?,
        helper_slots: HELPER_SLOTS,
        strings: Span {
            offset: u32_of(strings_at)?,
            len: u32_of(strings.bytes.len())?,
        },
        entries: Span {
            offset: entries_at as u32,
            len: u32_of(entries.len())?,
        },
        invokes: Span {
            offset: u32_of(invokes_at)?,
            len: u32_of(invokes.len())?,
        },
        target: triple,
        compiler,
    };
    let mut w = Writer::default();
    header.encode(&mut w);
    entries.iter().for_each(|e| e.encode(&mut w));
    invokes.iter().for_each(|i| i.encode(&mut w));
    w.bytes.extend_from_slice(&strings.bytes);
    w.bytes.resize(code_offset, 0);
    w.bytes.extend_from_slice(&code.bytes);
    w.bytes.resize(file_len, CODE_FILL);
    format::seal(&mut w.bytes);
    Ok(Compiled {
        bytes: w.bytes,
        code_len: code.bytes.len(),
        fast_count: function_count - signatures.len() - reentrant_count,
        reentrant_count,
        invoke_count: signatures.len(),
    })
}

/// The string table being built (identical strings stored once).
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    index: std::collections::HashMap<String, Span>,
}

impl Strings {
    fn add(&mut self, s: &str) -> Span {
        if let Some(span) = self.index.get(s) {
            return *span;
        }
        let span = Span {
            offset: self.bytes.len() as u32,
            len: s.len() as u32,
        };
        self.bytes.extend_from_slice(s.as_bytes());
        self.index.insert(s.to_owned(), span);
        span
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed, then renamed over `path`. Readers see the old file or
/// the whole new one, never a partial artifact.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CompileError> {
    let fail = |source| CompileError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".ffic-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    // Temporary files are private; an artifact is as readable as any output.
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))
        .map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

//! The `.ffic` byte format, its one definition: encoding for the writer and a
//! bounds-checked decoder for the loader and `ffic inspect`. All integers are
//! little-endian. Layout:
//!
//! ```text
//! 0        header (HEADER_SIZE bytes)
//!          entry records (ENTRY_SIZE each), invoke records (INVOKE_SIZE each),
//!          string table (UTF-8, referenced by offset and length)
//! code_off machine code, page-aligned, padded with int3 to a page boundary;
//!          the file ends here, so the loader's import table, placed right
//!          after the code, is at a fixed distance from it
//! ```
//!
//! The checksum is CRC-32 over the whole file except its own four bytes.

use crate::emit::FUNCTION_ALIGN;
use crate::imports::HELPER_SLOTS;
use std::fmt;

/// File magic: catches text-mode mangling (CR LF, ^Z) as well as wrong files.
pub const MAGIC: [u8; 8] = *b"\x7fFFIC\r\n\x1a";
/// Version of this layout.
pub const FORMAT_VERSION: u32 = 2;
/// Bytes in the header.
pub const HEADER_SIZE: usize = 144;
/// Bytes in an entry record.
pub const ENTRY_SIZE: usize = 56;
/// Bytes in an invoke record.
pub const INVOKE_SIZE: usize = 16;
/// "No such trampoline" in an entry's offset or index fields.
pub const NONE: u32 = u32::MAX;
/// Where the checksum field lies.
pub const CHECKSUM_AT: usize = 16;

/// An entry's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A function (has an invoke, and a fast trampoline unless nonblocking,
    /// and a re-entrant one too if it also returns a primitive value).
    Function,
    /// A static (has neither; its slot holds its address).
    Static,
}

/// Entry flag: the symbol is `optional`.
pub const FLAG_OPTIONAL: u8 = 1;
/// Entry flag: the symbol is `nonblocking`.
pub const FLAG_NONBLOCKING: u8 = 2;

/// The fixed-size header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Layout version.
    pub format_version: u32,
    /// CRC-32 of the file without this field.
    pub checksum: u32,
    /// Page size the code was laid out for.
    pub page_size: u32,
    /// CPU features the code assumes (bit set, see `isa::CPU_FEATURES`).
    pub cpu_features: u64,
    /// Digest of the normalised descriptor.
    pub digest: [u8; 32],
    /// Total file length.
    pub file_len: u64,
    /// Offset of the code (page-aligned).
    pub code_offset: u64,
    /// Length of the code before padding.
    pub code_len: u64,
    /// Slots in the import table.
    pub import_slots: u32,
    /// How many of them are helper slots.
    pub helper_slots: u32,
    /// The string table.
    pub strings: Span,
    /// The entry records.
    pub entries: Span,
    /// The invoke records.
    pub invokes: Span,
    /// Target triple, in the string table.
    pub target: Span,
    /// Compiler version, in the string table.
    pub compiler: Span,
}

/// An (offset, length-or-count) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Offset (file offset for tables, string-table offset for strings).
    pub offset: u32,
    /// Byte length (strings) or record count (tables).
    pub len: u32,
}

/// One manifest entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRecord {
    /// JS property name (string).
    pub name: Span,
    /// Native symbol (string).
    pub native: Span,
    /// Canonical signature or static type (string).
    pub signature: Span,
    /// Function or static.
    pub kind: EntryKind,
    /// `FLAG_*` bits.
    pub flags: u8,
    /// Import slot holding the native address.
    pub import_slot: u32,
    /// The fast trampoline, or `NONE`.
    pub fast: Span,
    /// Index into the invoke records, or `NONE`.
    pub invoke: u32,
    /// The re-entrant fast trampoline, or `NONE`.
    pub reentrant: Span,
}

/// One shared invoke trampoline as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeRecord {
    /// Canonical signature (string).
    pub signature: Span,
    /// Its code.
    pub code: Span,
}

/// Why bytes are not a well-formed artifact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Shorter than a header, or than the header says.
    #[error("truncated: {0}")]
    Truncated(String),
    /// Not an artifact at all.
    #[error("bad magic: not an ffic artifact")]
    BadMagic,
    /// Written by another format version.
    #[error("format version {found}, this ffic reads version {FORMAT_VERSION}")]
    Version {
        /// The file's version.
        found: u32,
    },
    /// The checksum does not match the bytes.
    #[error("checksum mismatch: header says {stored:08x}, bytes give {computed:08x}")]
    Checksum {
        /// From the header.
        stored: u32,
        /// Computed.
        computed: u32,
    },
    /// A field is out of range or inconsistent.
    #[error("malformed {field}: {reason}")]
    Malformed {
        /// Which field.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

fn malformed(field: impl fmt::Display, reason: impl Into<String>) -> DecodeError {
    DecodeError::Malformed {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// Appends little-endian fields.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn span(&mut self, s: Span) {
        self.u32(s.offset);
        self.u32(s.len);
    }
}

impl Header {
    /// Encodes the header (checksum as stored in `self`).
    pub(crate) fn encode(&self, w: &mut Writer) {
        let start = w.bytes.len();
        w.bytes.extend_from_slice(&MAGIC);
        w.u32(self.format_version);
        w.u32(HEADER_SIZE as u32);
        w.u32(self.checksum);
        w.u32(self.page_size);
        w.u64(self.cpu_features);
        w.bytes.extend_from_slice(&self.digest);
        w.u64(self.file_len);
        w.u64(self.code_offset);
        w.u64(self.code_len);
        w.u32(self.import_slots);
        w.u32(self.helper_slots);
        for span in [
            self.strings,
            self.entries,
            self.invokes,
            self.target,
            self.compiler,
        ] {
            w.span(span);
        }
        w.u64(0); // reserved
        debug_assert_eq!(w.bytes.len() - start, HEADER_SIZE);
    }
}

impl EntryRecord {
    pub(crate) fn encode(&self, w: &mut Writer) {
        w.span(self.name);
        w.span(self.native);
        w.span(self.signature);
        w.u8(match self.kind {
            EntryKind::Function => 0,
            EntryKind::Static => 1,
        });
        w.u8(self.flags);
        w.u16(0);
        w.u32(self.import_slot);
        w.span(self.fast);
        w.u32(self.invoke);
        w.span(self.reentrant);
        w.u32(0);
    }
}

impl InvokeRecord {
    pub(crate) fn encode(&self, w: &mut Writer) {
        w.span(self.signature);
        w.span(self.code);
    }
}

/// The CRC-32 of `file` without its checksum field.
pub fn checksum(file: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&file[..CHECKSUM_AT]);
    h.update(&file[CHECKSUM_AT + 4..]);
    h.finalize()
}

/// Stores the checksum of `file` into it.
pub(crate) fn seal(file: &mut [u8]) {
    let sum = checksum(file);
    file[CHECKSUM_AT..CHECKSUM_AT + 4].copy_from_slice(&sum.to_le_bytes());
}

/// Reads little-endian fields at fixed positions, never past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        // Callers check lengths first; slicing still panics rather than misreads.
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        s
    }
    fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take(2).try_into().expect("2 bytes"))
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().expect("4 bytes"))
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take(8).try_into().expect("8 bytes"))
    }
    fn span(&mut self) -> Span {
        Span {
            offset: self.u32(),
            len: self.u32(),
        }
    }
}

/// A decoded, structurally verified artifact borrowing the file's bytes.
#[derive(Debug, Clone)]
pub struct Artifact<'a> {
    /// The header.
    pub header: Header,
    /// Manifest entries, sorted by name.
    pub entries: Vec<Entry<'a>>,
    /// Shared invoke trampolines.
    pub invokes: Vec<Invoke<'a>>,
    /// Target triple.
    pub target: &'a str,
    /// Compiler version.
    pub compiler: &'a str,
    /// The code, unpadded.
    pub code: &'a [u8],
}

/// A decoded manifest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// JS property name.
    pub name: &'a str,
    /// Native symbol.
    pub native: &'a str,
    /// Canonical signature (functions) or type (statics).
    pub signature: &'a str,
    /// Function or static.
    pub kind: EntryKind,
    /// `optional`.
    pub optional: bool,
    /// `nonblocking`.
    pub nonblocking: bool,
    /// Import slot of the native address.
    pub import_slot: u32,
    /// Fast trampoline, if any.
    pub fast: Option<Span>,
    /// Invoke record index, if any.
    pub invoke: Option<u32>,
    /// Re-entrant fast trampoline, if any.
    pub reentrant: Option<Span>,
}

/// A decoded invoke record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoke<'a> {
    /// Canonical signature.
    pub signature: &'a str,
    /// Its code.
    pub code: Span,
}

/// Decodes and structurally verifies `file`: magic, version, lengths,
/// checksum, every table and string in bounds and every code range inside
/// the code. Says nothing about whether it suits this host or a descriptor.
pub fn decode(file: &[u8]) -> Result<Artifact<'_>, DecodeError> {
    if file.len() < HEADER_SIZE {
        if file.len() >= MAGIC.len() && file[..MAGIC.len()] != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        return Err(DecodeError::Truncated(format!(
            "{} bytes, a header alone is {HEADER_SIZE}",
            file.len()
        )));
    }
    let mut r = Reader { bytes: file, at: 0 };
    if r.take(MAGIC.len()) != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    let format_version = r.u32();
    if format_version != FORMAT_VERSION {
        return Err(DecodeError::Version {
            found: format_version,
        });
    }
    let header_size = r.u32();
    if header_size as usize != HEADER_SIZE {
        return Err(malformed(
            "header size",
            format!("{header_size}, expected {HEADER_SIZE}"),
        ));
    }
    let header = Header {
        format_version,
        checksum: r.u32(),
        page_size: r.u32(),
        cpu_features: r.u64(),
        digest: r.take(32).try_into().expect("32 bytes"),
        file_len: r.u64(),
        code_offset: r.u64(),
        code_len: r.u64(),
        import_slots: r.u32(),
        helper_slots: r.u32(),
        strings: r.span(),
        entries: r.span(),
        invokes: r.span(),
        target: r.span(),
        compiler: r.span(),
    };
    if r.u64() != 0 {
        return Err(malformed("header", "reserved field is not zero"));
    }
    if header.file_len != file.len() as u64 {
        return Err(DecodeError::Truncated(format!(
            "{} bytes, the header says {}",
            file.len(),
            header.file_len
        )));
    }
    let computed = checksum(file);
    if computed != header.checksum {
        return Err(DecodeError::Checksum {
            stored: header.checksum,
            computed,
        });
    }
    check_layout(&header)?;
    let code_start = header.code_offset as usize;
    let code = &file[code_start..code_start + header.code_len as usize];
    let limit = header.code_offset;
    let strings = region(
        file,
        limit,
        header.strings.offset,
        header.strings.len as usize,
        "string table",
    )?;
    let string = |span: Span, what: &dyn fmt::Display| -> Result<&str, DecodeError> {
        let end = span.offset as usize + span.len as usize;
        let bytes = strings
            .get(span.offset as usize..end)
            .ok_or_else(|| malformed(what, "outside the string table"))?;
        std::str::from_utf8(bytes).map_err(|_| malformed(what, "not UTF-8"))
    };
    let target = string(header.target, &"target")?;
    let compiler = string(header.compiler, &"compiler version")?;

    let invoke_bytes = table(file, limit, header.invokes, INVOKE_SIZE, "invoke table")?;
    let mut invokes = Vec::with_capacity(header.invokes.len as usize);
    for (i, chunk) in invoke_bytes.chunks_exact(INVOKE_SIZE).enumerate() {
        let mut r = Reader {
            bytes: chunk,
            at: 0,
        };
        let record = InvokeRecord {
            signature: r.span(),
            code: r.span(),
        };
        let what = Record("invoke", i);
        check_code_range(record.code, header.code_len, &what)?;
        invokes.push(Invoke {
            signature: string(record.signature, &what)?,
            code: record.code,
        });
    }

    let entry_bytes = table(file, limit, header.entries, ENTRY_SIZE, "entry table")?;
    let mut entries: Vec<Entry<'_>> = Vec::with_capacity(header.entries.len as usize);
    for (i, chunk) in entry_bytes.chunks_exact(ENTRY_SIZE).enumerate() {
        let mut r = Reader {
            bytes: chunk,
            at: 0,
        };
        let what = Record("entry", i);
        let (name, native, signature) = (r.span(), r.span(), r.span());
        let kind = match r.u8() {
            0 => EntryKind::Function,
            1 => EntryKind::Static,
            other => return Err(malformed(what, format!("unknown kind {other}"))),
        };
        let flags = r.u8();
        if flags & !(FLAG_OPTIONAL | FLAG_NONBLOCKING) != 0 || r.u16() != 0 {
            return Err(malformed(what, format!("unknown flags {flags:#x}")));
        }
        let import_slot = r.u32();
        let fast = r.span();
        let invoke = r.u32();
        let reentrant = r.span();
        if r.u32() != 0 {
            return Err(malformed(what, "reserved field is not zero"));
        }
        // The code hard-wires symbol `i` to slot `helper_slots + i`.
        if import_slot != header.helper_slots + i as u32 {
            return Err(malformed(
                what,
                format!(
                    "import slot {import_slot}, the code uses {}",
                    header.helper_slots + i as u32
                ),
            ));
        }
        let fast = (fast.offset != NONE).then_some(fast);
        let reentrant = (reentrant.offset != NONE).then_some(reentrant);
        for span in fast.iter().chain(&reentrant) {
            check_code_range(*span, header.code_len, &what)?;
        }
        let invoke = (invoke != NONE).then_some(invoke);
        if invoke.is_some_and(|i| i as usize >= invokes.len()) {
            return Err(malformed(what, "invoke index out of range"));
        }
        let is_function = kind == EntryKind::Function;
        if is_function != invoke.is_some()
            || (!is_function && fast.is_some())
            || (reentrant.is_some() && fast.is_none())
        {
            return Err(malformed(what, "trampolines do not match its kind"));
        }
        let entry = Entry {
            name: string(name, &what)?,
            native: string(native, &what)?,
            signature: string(signature, &what)?,
            kind,
            optional: flags & FLAG_OPTIONAL != 0,
            nonblocking: flags & FLAG_NONBLOCKING != 0,
            import_slot,
            fast,
            invoke,
            reentrant,
        };
        if entries.last().is_some_and(|prev| prev.name >= entry.name) {
            return Err(malformed(what, "entries are not sorted by unique name"));
        }
        entries.push(entry);
    }
    // The writer lays functions out back to back, invokes first, then each
    // entry's fast and re-entrant trampolines in entry order: anything else
    // (overlaps, an entry point inside another function) is not what it wrote.
    let spans = invokes.iter().map(|i| i.code).chain(
        entries
            .iter()
            .flat_map(|e| e.fast.into_iter().chain(e.reentrant)),
    );
    let mut end = 0u64;
    for span in spans {
        if u64::from(span.offset) < end {
            return Err(malformed(
                "code ranges",
                format!("function at {} overlaps the one before", span.offset),
            ));
        }
        end = u64::from(span.offset) + u64::from(span.len);
    }
    Ok(Artifact {
        header,
        entries,
        invokes,
        target,
        compiler,
        code,
    })
}

fn check_layout(h: &Header) -> Result<(), DecodeError> {
    if !h.page_size.is_power_of_two() || h.page_size < 4096 {
        return Err(malformed(
            "page size",
            format!("{} is not a page size", h.page_size),
        ));
    }
    let page = u64::from(h.page_size);
    if !h.code_offset.is_multiple_of(page) || h.code_offset < HEADER_SIZE as u64 {
        return Err(malformed(
            "code offset",
            format!("{} is not page-aligned after the header", h.code_offset),
        ));
    }
    if h.code_len > u64::from(u32::MAX) {
        return Err(malformed("code length", "over 4 GiB"));
    }
    let code_end = h.code_offset.checked_add(h.code_len.next_multiple_of(page));
    if code_end != Some(h.file_len) {
        return Err(malformed(
            "code length",
            "the padded code must end the file",
        ));
    }
    if h.helper_slots != HELPER_SLOTS || h.import_slots < h.helper_slots {
        return Err(malformed(
            "import slots",
            format!("{} helpers of {} slots", h.helper_slots, h.import_slots),
        ));
    }
    if u64::from(h.import_slots) != u64::from(h.helper_slots) + u64::from(h.entries.len) {
        return Err(malformed("import slots", "not one per entry"));
    }
    Ok(())
}

/// A region of the metadata area (after the header, before the code).
fn region<'a>(
    file: &'a [u8],
    code_offset: u64,
    offset: u32,
    len: usize,
    what: &str,
) -> Result<&'a [u8], DecodeError> {
    let start = offset as usize;
    let end = start
        .checked_add(len)
        .ok_or_else(|| malformed(what, "length overflows"))?;
    if start < HEADER_SIZE || end as u64 > code_offset {
        return Err(malformed(
            what,
            format!("{start}..{end} is outside the metadata area"),
        ));
    }
    Ok(&file[start..end])
}

fn table<'a>(
    file: &'a [u8],
    code_offset: u64,
    span: Span,
    record: usize,
    what: &str,
) -> Result<&'a [u8], DecodeError> {
    let len = (span.len as usize)
        .checked_mul(record)
        .ok_or_else(|| malformed(what, "length overflows"))?;
    region(file, code_offset, span.offset, len, what)
}

/// A table record named in errors (`entry 3`), formatted only when one occurs:
/// decoding runs at every load.
#[derive(Clone, Copy)]
struct Record(&'static str, usize);

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

fn check_code_range(span: Span, code_len: u64, what: &dyn fmt::Display) -> Result<(), DecodeError> {
    let end = u64::from(span.offset) + u64::from(span.len);
    if span.len == 0 || end > code_len || !span.offset.is_multiple_of(FUNCTION_ALIGN) {
        return Err(malformed(
            what,
            format!(
                "code range {}+{} is not a function inside the code",
                span.offset, span.len
            ),
        ));
    }
    Ok(())
}

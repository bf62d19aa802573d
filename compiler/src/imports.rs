//! The import table: every address a trampoline needs beyond its own code,
//! reached through one 8-byte slot each, placed by whoever maps the code at a
//! fixed distance after it. Runtime helpers come first, in [`Helper`] order,
//! then one slot per symbol (its native address) in manifest order.

/// Returned by [`Helper::BufferData`] and [`Helper::StructData`] when the value
/// is not usable; a trampoline that sees it raises instead of calling.
pub const INVALID_DATA: i64 = -1;

/// A runtime helper: a plain C-ABI function supplied by whoever binds the code
/// (the V8 host its real ones; tests their own). Data pointers one helper
/// returns stay in use across later helper calls in the same trampoline, so
/// `BufferData`, `StructData` and `Trace` must not allocate on the JS heap or
/// otherwise let a GC run; only `Raise` may, and a return always follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Helper {
    /// `fn(value: *const Local<Value>) -> *mut u8`: the data pointer of `null`
    /// (0), an ArrayBuffer or an ArrayBufferView; [`INVALID_DATA`] otherwise.
    BufferData = 0,
    /// `fn(value: *const Local<Value>, size: usize) -> *mut u8`: as
    /// `BufferData`, but [`INVALID_DATA`] also for `null` and for fewer than `size` bytes.
    StructData = 1,
    /// `fn(options: *const FastApiCallbackOptions, kind: u32, argument: u32)`:
    /// throws the TypeError for a [`Raise`] kind; the trampoline then returns zero.
    Raise = 2,
    /// `fn(options: *const FastApiCallbackOptions)`: called first by every fast
    /// trampoline when the slot is not null (tests observe fast calls with it).
    Trace = 3,
    /// `memcpy`, for by-value structs too large to copy inline.
    Memcpy = 4,
    /// `fn(string: *const FastOneByteString, scratch: *mut u8, room: usize)
    /// -> *mut u8`: a `cstring` argument (a sequential one-byte string, as
    /// V8 passes it) as NUL-terminated UTF-8, in `scratch` when it takes at
    /// most `room` bytes, else in a heap copy; [`INVALID_DATA`] when it
    /// holds a NUL. Supplied by the loader (it needs nothing of V8).
    CStringData = 5,
    /// `fn(data: *mut u8)`: frees a heap copy `CStringData` made (one not
    /// in its scratch), once the native call is over.
    CStringFree = 6,
    /// `fn()`: records this thread's `errno` as the last captured one,
    /// called right after the native call of a function that captures it
    /// (before anything else can change it). Supplied by the loader.
    CaptureErrno = 7,
}

/// Number of helper slots, before the symbol slots.
pub const HELPER_SLOTS: u32 = 8;

/// Bytes of stack a fast trampoline gives each `cstring` argument: shorter
/// strings (NUL included) are copied there, longer ones to the heap.
pub const CSTRING_SCRATCH: u32 = 256;

impl Helper {
    /// Every helper in slot order.
    pub const ALL: [Helper; HELPER_SLOTS as usize] = [
        Helper::BufferData,
        Helper::StructData,
        Helper::Raise,
        Helper::Trace,
        Helper::Memcpy,
        Helper::CStringData,
        Helper::CStringFree,
        Helper::CaptureErrno,
    ];

    /// Its slot index.
    pub fn slot(self) -> u32 {
        self as u32
    }
}

/// The import slot of the symbol at `index` in manifest order.
pub fn symbol_slot(index: usize) -> u32 {
    HELPER_SLOTS + index as u32
}

/// What a fast trampoline asks [`Helper::Raise`] to throw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Raise {
    /// A `buffer` argument that is not null, an ArrayBuffer or a view.
    InvalidBuffer = 1,
    /// A struct argument that is not a buffer of at least the struct's size.
    InvalidStruct = 2,
    /// The struct result buffer is missing or too small.
    InvalidStructReturn = 3,
    /// A `cstring` argument holding a NUL character.
    InvalidCString = 4,
}

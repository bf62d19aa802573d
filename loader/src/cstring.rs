//! C strings on the fast path: the helpers fast trampolines call to copy a
//! `cstring` argument (V8 hands it over as a sequential one-byte string,
//! Latin-1) into NUL-terminated UTF-8, and to free a heap copy. (The slow
//! paths encode JS strings in the binding's `convert.rs`.)

use ffic_compiler::imports::INVALID_DATA;

/// V8's `FastOneByteString`: how the Fast API passes a sequential one-byte
/// string (Latin-1 bytes, not NUL-terminated).
#[repr(C)]
pub struct OneByteString {
    /// The first byte.
    pub data: *const u8,
    /// Bytes in the string.
    pub length: u32,
}

/// Bytes `latin1` takes as UTF-8 with its NUL, or `None` when it holds a
/// NUL (C would see a shorter string). Whole-slice scans (memchr, word-wise
/// ASCII checks): the per-byte loop they replace cost 1 KiB strings 300 ns.
fn utf8_len(latin1: &[u8]) -> Option<usize> {
    if latin1.contains(&0) {
        return None;
    }
    let wide = match latin1.is_ascii() {
        true => 0,
        false => latin1.iter().filter(|&&b| b >= 0x80).count(),
    };
    Some(latin1.len() + wide + 1)
}

/// Writes `latin1` as UTF-8 and a NUL into `out`, which holds exactly that.
fn write_utf8(latin1: &[u8], out: &mut [u8]) {
    if out.len() == latin1.len() + 1 {
        out[..latin1.len()].copy_from_slice(latin1);
    } else {
        let mut at = 0;
        for &b in latin1 {
            if b < 0x80 {
                out[at] = b;
                at += 1;
            } else {
                out[at] = 0xC0 | (b >> 6);
                out[at + 1] = 0x80 | (b & 0x3F);
                at += 2;
            }
        }
    }
    out[out.len() - 1] = 0;
}

/// The `CStringData` helper (see `ffic_compiler::imports::Helper`).
///
/// # Safety
/// `string` points at a live `FastOneByteString` whose bytes are readable;
/// `scratch` is writable for `room` bytes.
pub(crate) unsafe extern "C" fn cstring_data(
    string: *const OneByteString,
    scratch: *mut u8,
    room: usize,
) -> *mut u8 {
    // SAFETY: the caller's contract.
    let string = unsafe { &*string };
    let latin1 = match string.length {
        0 => &[][..],
        // SAFETY: V8 passes `length` readable bytes at `data`.
        n => unsafe { std::slice::from_raw_parts(string.data, n as usize) },
    };
    let Some(len) = utf8_len(latin1) else {
        return INVALID_DATA as usize as *mut u8;
    };
    let out = if len <= room {
        scratch
    } else {
        // SAFETY: plain allocation; freed by `cstring_free`.
        let heap = unsafe { libc::malloc(len) }.cast::<u8>();
        if heap.is_null() {
            std::alloc::handle_alloc_error(std::alloc::Layout::array::<u8>(len).expect("small"));
        }
        heap
    };
    // SAFETY: `out` is writable for `len` bytes (the scratch's room, or the
    // allocation) and does not overlap the string.
    write_utf8(latin1, unsafe { std::slice::from_raw_parts_mut(out, len) });
    out
}

/// The `CStringFree` helper.
///
/// # Safety
/// `data` is a heap copy `cstring_data` returned, not yet freed.
pub(crate) unsafe extern "C" fn cstring_free(data: *mut u8) {
    // SAFETY: allocated by malloc in `cstring_data`.
    unsafe { libc::free(data.cast()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(latin1: &[u8], room: usize) -> Option<(Vec<u8>, bool)> {
        let string = OneByteString {
            data: latin1.as_ptr(),
            length: latin1.len() as u32,
        };
        let mut scratch = vec![0xAAu8; room];
        // SAFETY: the string and scratch are alive and sized as said.
        let data = unsafe { cstring_data(&string, scratch.as_mut_ptr(), room) };
        if data as usize == INVALID_DATA as usize {
            return None;
        }
        let in_scratch = data == scratch.as_mut_ptr();
        // SAFETY: a NUL-terminated copy either way.
        let bytes = unsafe { std::ffi::CStr::from_ptr(data.cast()) }
            .to_bytes()
            .to_vec();
        if !in_scratch {
            // SAFETY: a heap copy from `cstring_data`.
            unsafe { cstring_free(data) };
        }
        Some((bytes, in_scratch))
    }

    #[test]
    fn latin1_becomes_nul_terminated_utf8_in_the_scratch_when_it_fits() {
        assert_eq!(copy(b"", 1), Some((vec![], true)));
        assert_eq!(copy(b"abc", 4), Some((b"abc".to_vec(), true)));
        // "é" and "ÿ" take two bytes each in UTF-8.
        let latin1 = [b'a', 0xE9, 0xFF];
        let utf8 = "aéÿ".as_bytes().to_vec();
        assert_eq!(copy(&latin1, 6), Some((utf8.clone(), true)));
        assert_eq!(copy(&latin1, 5), Some((utf8, false)));
        assert_eq!(copy(b"abc", 3), Some((b"abc".to_vec(), false)));
        let long = vec![b'x'; 5000];
        assert_eq!(copy(&long, 256), Some((long, false)));
    }

    #[test]
    fn a_nul_inside_is_refused() {
        assert_eq!(copy(b"a\0b", 16), None);
        assert_eq!(copy(b"\0", 16), None);
    }
}

//! Variadic thunks: a call of a variadic function must hold in `%al` an
//! upper bound of the vector registers it passes arguments in (System V
//! x86-64, 3.5.7), which Cranelift cannot be told to set. So such a
//! function is called through a thunk that sets `%eax` to 8 (a bound for
//! every call) and jumps to the function: every trampoline, libffi call and
//! fast registration reaches it the same way, with no per-shape code. A
//! thunk page holds slots of that code, slot `i` jumping through the data
//! word at `page_size + 8 * i` from the page's start (the data page after).

/// Bytes per thunk.
pub const SLOT_SIZE: usize = 16;

/// A thunk page's code for a page of `page_size` bytes (a power of two of
/// at least 4096).
pub fn page(page_size: usize) -> Vec<u8> {
    let mut code = vec![0xCC; page_size]; // int3 wherever no code is
    for i in 0..slots(page_size) {
        let at = i * SLOT_SIZE;
        // jmp [rip + disp32]: disp32 from the end of this 6-byte instruction
        // (after the 5-byte mov) to the slot's data word.
        let data = (page_size + 8 * i) as i64 - (at + 11) as i64;
        let slot = &mut code[at..at + SLOT_SIZE];
        // mov eax, 8
        slot[..5].copy_from_slice(&[0xB8, 8, 0, 0, 0]);
        slot[5..7].copy_from_slice(&[0xFF, 0x25]);
        slot[7..11].copy_from_slice(&(data as i32).to_le_bytes());
    }
    code
}

/// How many thunks a page of `page_size` bytes holds.
pub fn slots(page_size: usize) -> usize {
    page_size / SLOT_SIZE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thunk_sets_eax_then_jumps_through_its_own_data_word() {
        let size = 4096;
        let code = page(size);
        assert_eq!(slots(size), 256);
        for i in [0, 1, 255] {
            let slot = &code[i * SLOT_SIZE..(i + 1) * SLOT_SIZE];
            assert_eq!(&slot[..7], &[0xB8, 8, 0, 0, 0, 0xFF, 0x25]);
            let disp = i32::from_le_bytes(slot[7..11].try_into().unwrap()) as i64;
            assert_eq!((i * SLOT_SIZE + 11) as i64 + disp, (size + 8 * i) as i64);
            assert!(slot[11..].iter().all(|&b| b == 0xCC));
        }
    }
}

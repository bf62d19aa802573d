//! Per-call buffers (argument slots, libffi value pointers, results) that
//! live on the stack and spill to the heap only for unusually large calls.

/// `len` elements: the front of `inline` when it is long enough, else
/// `heap` grown to `len` and filled with `fill`.
pub fn scratch<'a, T: Copy, const N: usize>(
    inline: &'a mut [T; N],
    heap: &'a mut Vec<T>,
    len: usize,
    fill: T,
) -> &'a mut [T] {
    if len <= N {
        &mut inline[..len]
    } else {
        heap.resize(len, fill);
        heap
    }
}

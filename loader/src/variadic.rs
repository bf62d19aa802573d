//! Variadic thunks (`ffic_compiler::variadic`): pages of thunk code, each
//! followed by its data page. A variadic symbol's address is replaced, at
//! resolution, by a thunk whose data word holds the real address; the code
//! pages are written once before they become executable and never again.
//! Pages are never unmapped; a thunk goes back to the pool when the symbols
//! that used it are dropped (no call can be running then).

use crate::LoadError;
use crate::region::{Protection, Region, page_size};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A taken thunk: its code address and where its data word is.
#[derive(Debug)]
pub(crate) struct Thunk {
    code: *const u8,
    data: *const AtomicUsize,
}

// SAFETY: a thunk names memory that is never unmapped; its word is atomic.
unsafe impl Send for Thunk {}
// SAFETY: as above; shared use only reads the code address.
unsafe impl Sync for Thunk {}

impl Thunk {
    /// What callers call instead of the variadic function.
    pub(crate) fn code(&self) -> usize {
        self.code as usize
    }
}

impl Drop for Thunk {
    fn drop(&mut self) {
        let thunk = Thunk {
            code: self.code,
            data: self.data,
        };
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        pool.free.push(thunk);
    }
}

/// Thunk pages made so far (kept for ever), and thunks free in them.
struct Pool {
    pages: Vec<Region>,
    free: Vec<Thunk>,
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    pages: Vec::new(),
    free: Vec::new(),
});

/// A thunk that sets `%eax` and jumps to `target`.
pub(crate) fn thunk(target: usize) -> Result<Thunk, LoadError> {
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if pool.free.is_empty() {
        let page = new_page().map_err(LoadError::ThunkMemory)?;
        let size = page_size();
        for i in 0..ffic_compiler::variadic::slots(size) {
            // SAFETY: both offsets lie inside the region: the thunk in its
            // code page, the word in the data page after it.
            let thunk = unsafe {
                Thunk {
                    code: page.base().add(i * ffic_compiler::variadic::SLOT_SIZE),
                    data: page.base().add(size + 8 * i).cast(),
                }
            };
            pool.free.push(thunk);
        }
        pool.pages.push(page);
    }
    let thunk = pool.free.pop().expect("a page of thunks was just added");
    // Dropping the guard first: `Thunk::drop` takes the lock.
    drop(pool);
    // SAFETY: the word lies in a data page, mapped and writable for ever.
    unsafe { &*thunk.data }.store(target, Ordering::Release);
    Ok(thunk)
}

/// A code page (read+execute) and its data page (read+write, zeroed).
fn new_page() -> std::io::Result<Region> {
    let size = page_size();
    let region = Region::copy_of(&ffic_compiler::variadic::page(size), size)?;
    region.protect(0, size, Protection::ReadExecute)?;
    region.protect(size, size, Protection::ReadWrite)?;
    Ok(region)
}

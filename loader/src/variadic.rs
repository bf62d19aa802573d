//! Variadic thunks (`ffic_compiler::variadic`): pages of thunk code, each
//! followed by its data page. A variadic symbol's address is replaced, at
//! resolution, by a thunk whose data word holds the real address; the code
//! pages are written once before they become executable and never again.
//! One thunk serves every symbol of one target, process-wide, so opens of
//! the same descriptors resolve to the same addresses (and share their
//! compiled code, see `shared.rs`). Pages are never unmapped; a thunk whose
//! last user is dropped (no call can be running then) is free again.

use crate::LoadError;
use crate::region::{Protection, Region, page_size};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One thunk's code address and its data word's address.
#[derive(Debug, Clone, Copy)]
struct Slot {
    code: usize,
    data: usize,
}

/// A use of the thunk of one target.
#[derive(Debug)]
pub(crate) struct Thunk {
    target: usize,
    code: usize,
}

impl Thunk {
    /// What callers call instead of the variadic function.
    pub(crate) fn code(&self) -> usize {
        self.code
    }

    /// One more use of the same thunk.
    pub(crate) fn another(&self) -> Result<Thunk, LoadError> {
        thunk(self.target)
    }
}

impl Drop for Thunk {
    fn drop(&mut self) {
        let mut guard = POOL.lock().unwrap_or_else(|e| e.into_inner());
        let Some(pool) = guard.as_mut() else {
            return;
        };
        let Some((slot, users)) = pool.live.get_mut(&self.target) else {
            return;
        };
        *users -= 1;
        if *users == 0 {
            let slot = *slot;
            pool.live.remove(&self.target);
            pool.free.push(slot);
        }
    }
}

/// Thunk pages made so far (kept for ever), the free thunks, and the
/// thunk of each target in use with its count of users.
struct Pool {
    pages: Vec<Region>,
    free: Vec<Slot>,
    live: HashMap<usize, (Slot, usize)>,
}

static POOL: Mutex<Option<Pool>> = Mutex::new(None);

/// The thunk that sets `%eax` and jumps to `target`.
pub(crate) fn thunk(target: usize) -> Result<Thunk, LoadError> {
    let mut guard = POOL.lock().unwrap_or_else(|e| e.into_inner());
    let pool = guard.get_or_insert_with(|| Pool {
        pages: Vec::new(),
        free: Vec::new(),
        live: HashMap::new(),
    });
    if let Some((slot, users)) = pool.live.get_mut(&target) {
        *users += 1;
        return Ok(Thunk {
            target,
            code: slot.code,
        });
    }
    if pool.free.is_empty() {
        let page = new_page().map_err(LoadError::ThunkMemory)?;
        let size = page_size();
        let base = page.base() as usize;
        pool.free.extend(
            (0..ffic_compiler::variadic::slots(size))
                .rev()
                .map(|i| Slot {
                    code: base + i * ffic_compiler::variadic::SLOT_SIZE,
                    data: base + size + 8 * i,
                }),
        );
        pool.pages.push(page);
    }
    let slot = pool.free.pop().expect("a page of thunks was just added");
    // SAFETY: the word lies in a data page, mapped and writable for ever,
    // and no caller uses this thunk until it is handed out below.
    unsafe { &*(slot.data as *const AtomicUsize) }.store(target, Ordering::Release);
    pool.live.insert(target, (slot, 1));
    Ok(Thunk {
        target,
        code: slot.code,
    })
}

/// A code page (read+execute) and its data page (read+write, zeroed).
fn new_page() -> std::io::Result<Region> {
    let size = page_size();
    let region = Region::copy_of(&ffic_compiler::variadic::page(size), size)?;
    region.protect(0, size, Protection::ReadExecute)?;
    region.protect(size, size, Protection::ReadWrite)?;
    Ok(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_thunk_per_target_while_it_has_users() {
        let a = thunk(0x1000).unwrap();
        let b = thunk(0x1000).unwrap();
        let c = thunk(0x2000).unwrap();
        assert_eq!(a.code(), b.code());
        assert_ne!(a.code(), c.code());
        drop(a);
        assert_eq!(thunk(0x1000).unwrap().code(), b.code(), "b still uses it");
    }
}

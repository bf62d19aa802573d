//! Callback slots: pages of code from `ffic_compiler::callback::page`, each
//! followed by its data page. A callback takes a free slot and writes its
//! data word; the code pages are written once, before they become
//! executable, and are never writable again. Pages are never unmapped (a
//! slot's code may be called by native code at any time), and a released
//! slot points at a target that returns zero until it is taken again, the
//! longest-released first.

use crate::LoadError;
use crate::region::{Protection, Region, page_size};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

/// What a slot's data word points at: a dispatcher first (what the entry
/// calls), then whatever the dispatcher reads.
#[repr(C)]
pub struct Entry {
    /// Called by the entry as `(entry, saved registers, stack arguments,
    /// returned words)`.
    pub dispatch: Dispatch,
}

/// A dispatcher, as the entry code calls it.
pub type Dispatch = unsafe extern "C" fn(*const Entry, *const u64, *const u8, *mut u64);

/// Returns zero in every return register: what a released slot runs.
unsafe extern "C" fn released(_: *const Entry, _: *const u64, _: *const u8, returned: *mut u64) {
    // SAFETY: the entry passes its four returned words.
    unsafe { std::ptr::write_bytes(returned, 0, 4) };
}

/// What a released slot of a callback whose struct result goes through a
/// hidden pointer runs: as [`released`], but `rax` gives that pointer back,
/// as the ABI requires (the struct itself is left as the caller had it).
unsafe extern "C" fn released_in_memory(
    entry: *const Entry,
    registers: *const u64,
    stack: *const u8,
    returned: *mut u64,
) {
    // SAFETY: forwarded; the entry saved `rdi` first and passes 4 words.
    unsafe {
        released(entry, registers, stack, returned);
        returned.write(registers.read());
    }
}

static RELEASED: Entry = Entry { dispatch: released };

static RELEASED_IN_MEMORY: Entry = Entry {
    dispatch: released_in_memory,
};

/// A taken slot: its code address and where its data word is.
#[derive(Debug)]
pub struct Slot {
    code: *const u8,
    data: *const AtomicPtr<Entry>,
}

// SAFETY: a slot names memory that is never unmapped; its data word is
// atomic.
unsafe impl Send for Slot {}

impl Slot {
    /// The function pointer native code calls.
    pub fn code(&self) -> *const u8 {
        self.code
    }
}

/// The pages made so far and the slots free in them.
struct Slots {
    /// Kept for ever: native code may hold any slot's address.
    pages: Vec<Region>,
    free: VecDeque<Slot>,
}

static SLOTS: Mutex<Slots> = Mutex::new(Slots {
    pages: Vec::new(),
    free: VecDeque::new(),
});

/// Takes a slot whose calls go to `entry`'s dispatcher with `entry`.
///
/// # Safety
/// `entry` stays valid until the slot is [`release`]d and no call of the
/// slot's code is still running.
pub unsafe fn take(entry: *const Entry) -> Result<Slot, LoadError> {
    let mut slots = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
    if slots.free.is_empty() {
        let page = new_page().map_err(LoadError::CallbackMemory)?;
        let size = page_size();
        for i in 0..ffic_compiler::callback::slots(size) {
            // SAFETY: both offsets lie inside the region: the slot in its
            // code page, the word in the data page after it.
            let slot = unsafe {
                Slot {
                    code: page.base().add(
                        ffic_compiler::callback::FIRST_SLOT
                            + i * ffic_compiler::callback::SLOT_SIZE,
                    ),
                    data: page.base().add(size + 8 * i).cast(),
                }
            };
            slots.free.push_back(slot);
        }
        slots.pages.push(page);
    }
    let slot = slots
        .free
        .pop_front()
        .expect("a page of slots was just added");
    // SAFETY: the data word lies in a data page, which stays mapped and
    // writable; the store is atomic, so a thread calling the slot reads
    // either the old target or this one.
    unsafe { &*slot.data }.store(entry.cast_mut(), Ordering::Release);
    Ok(slot)
}

/// Gives `slot` back: its calls return zero until it is taken again (a
/// struct result in memory: `rax` still gives its address back).
pub fn release(slot: Slot, result_in_memory: bool) {
    let target = if result_in_memory {
        &RELEASED_IN_MEMORY
    } else {
        &RELEASED
    };
    // SAFETY: as in `take`.
    unsafe { &*slot.data }.store(std::ptr::from_ref(target).cast_mut(), Ordering::Release);
    SLOTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .free
        .push_back(slot);
}

/// A code page (read+execute) and its data page (read+write, every word
/// pointing at the released target).
fn new_page() -> std::io::Result<Region> {
    let size = page_size();
    let code = ffic_compiler::callback::page(size);
    let region = Region::copy_of(&code, size)?;
    region.protect(0, size, Protection::ReadExecute)?;
    region.protect(size, size, Protection::ReadWrite)?;
    for i in 0..ffic_compiler::callback::slots(size) {
        // SAFETY: the word lies in the data page, writable and ours alone.
        unsafe {
            region
                .base()
                .add(size + 8 * i)
                .cast::<AtomicPtr<Entry>>()
                .cast_mut()
                .write(AtomicPtr::new(std::ptr::from_ref(&RELEASED).cast_mut()));
        }
    }
    Ok(region)
}

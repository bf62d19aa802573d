//! The symbol records of every `dlopen` (what each symbol's V8 function
//! points at through an External) and their lifetime. Each open's records
//! belong to an owner object that the symbols object and every function
//! made for them hold as a private property; a weak handle on the owner
//! notices V8 collecting it, after which no script value can reach the
//! records, and the next event-loop turn (or `dlopen`) frees them. A host
//! that reopens a library in a loop so keeps only what is still in use.
//! Under `--trace-ffi` collected records are retired instead of dropped,
//! so that the report at exit still counts every symbol's calls.

use crate::dlopen::SymbolData;
use crate::trace;
use std::cell::{Cell, RefCell};

/// One open's records and the watch on their owner.
struct Open {
    records: Box<[SymbolData]>,
    owner: v8::Weak<v8::Object>,
}

thread_local! {
    /// Every open's records, by slot; a freed slot is reused.
    static OPENS: RefCell<Vec<Option<Open>>> = const { RefCell::new(Vec::new()) };
    /// Slots free for reuse.
    static FREE: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    /// Slots whose owner V8 collected, freed at the next turn (a weak
    /// handle's finalizer runs inside the GC, where nothing is dropped).
    static DEAD: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    /// Under `--trace-ffi`, the records of collected opens, for the report.
    static RETIRED: RefCell<Vec<Box<[SymbolData]>>> = const { RefCell::new(Vec::new()) };
    /// The private key objects hold their owner under, made once.
    static KEY: RefCell<Option<v8::Global<v8::Private>>> = const { RefCell::new(None) };
    /// Symbol calls on the stack: while any runs, nothing is freed.
    static IN_USE: Cell<u32> = const { Cell::new(0) };
}

/// A symbol call in progress (see [`in_use`]).
pub(super) struct InUse(());

impl Drop for InUse {
    fn drop(&mut self) {
        IN_USE.with(|n| n.set(n.get() - 1));
    }
}

/// Marks a symbol call as running until the value is dropped: its records
/// stay even if a callback it makes runs `dlopen` (which sweeps) after V8
/// collected their owner. Its own function keeps the owner alive as long
/// as V8 keeps that function for the frame; this does not rely on it.
pub(super) fn in_use() -> InUse {
    IN_USE.with(|n| n.set(n.get() + 1));
    InUse(())
}

/// Stores the records `make(slot)` builds and gives them with their owner
/// object, which the caller must hold (as a private property of the symbols
/// object) for as long as it hands the records to V8.
///
/// The records stay at their address until the owner is collected: a
/// boxed slice does not move when the list grows.
pub(super) fn store<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    make: impl FnOnce(usize) -> Box<[SymbolData]>,
) -> (*const [SymbolData], v8::Local<'s, v8::Object>) {
    let slot = FREE
        .with(|f| f.borrow_mut().pop())
        .unwrap_or_else(|| OPENS.with(|o| o.borrow().len()));
    let owner_object = v8::Object::new(scope);
    let released = Box::new(move |_: &mut v8::Isolate| DEAD.with(|d| d.borrow_mut().push(slot)));
    let owner = v8::Weak::with_finalizer(scope, owner_object, released);
    let records = make(slot);
    let address: *const [SymbolData] = &*records;
    let open = Some(Open { records, owner });
    OPENS.with(|o| {
        let mut opens = o.borrow_mut();
        if slot == opens.len() {
            opens.push(open);
        } else {
            opens[slot] = open;
        }
    });
    (address, owner_object)
}

/// Makes a symbol's function hold the owner of the records in `slot`, so
/// they live at least as long as it.
pub(super) fn hold(scope: &mut v8::PinScope, function: v8::Local<v8::Object>, slot: usize) {
    let owner = OPENS.with(|o| {
        o.borrow()
            .get(slot)
            .and_then(Option::as_ref)
            .and_then(|open| open.owner.to_local(scope))
    });
    // Alive: a function is made from a live symbols object, which holds it.
    if let Some(owner) = owner {
        attach(scope, function, owner);
    }
}

/// Makes `object` hold `owner` (a private property, invisible to scripts).
pub(super) fn attach(
    scope: &mut v8::PinScope,
    object: v8::Local<v8::Object>,
    owner: v8::Local<v8::Object>,
) {
    let key = KEY.with(|k| k.borrow().as_ref().map(|key| v8::Local::new(scope, key)));
    let key = key.unwrap_or_else(|| {
        let name = v8::String::new(scope, "ffic.records").expect("short string");
        let key = v8::Private::for_api(scope, Some(name));
        KEY.with(|k| *k.borrow_mut() = Some(v8::Global::new(scope, key)));
        key
    });
    object.set_private(scope, key, owner.into());
}

/// Frees the records whose owner V8 has collected, unless a symbol call is
/// on the stack; call at the top of each event-loop turn.
pub(super) fn sweep() {
    if IN_USE.with(Cell::get) > 0 {
        return;
    }
    let dead = DEAD.with(|d| std::mem::take(&mut *d.borrow_mut()));
    for slot in dead {
        // Taken out under the borrow, dropped after it: dropping releases
        // V8 handles and library references.
        let open = OPENS.with(|o| o.borrow_mut().get_mut(slot).and_then(Option::take));
        let Some(open) = open else { continue };
        FREE.with(|f| f.borrow_mut().push(slot));
        if trace::enabled() {
            RETIRED.with(|r| r.borrow_mut().push(open.records));
        }
    }
}

/// How many opens' records were collected (counted under `--trace-ffi`).
pub(super) fn retired() -> usize {
    RETIRED.with(|r| r.borrow().len())
}

/// Calls `f` with every record still stored, in slot order, then with
/// those retired under `--trace-ffi`.
pub(super) fn for_each(mut f: impl FnMut(&SymbolData)) {
    OPENS.with(|o| {
        for open in o.borrow().iter().flatten() {
            open.records.iter().for_each(&mut f);
        }
    });
    RETIRED.with(|r| {
        r.borrow()
            .iter()
            .flat_map(|records| records.iter())
            .for_each(f)
    });
}

/// Drops every record (when the isolate is done).
pub(super) fn clear() {
    let opens = OPENS.with(|o| std::mem::take(&mut *o.borrow_mut()));
    drop(opens);
    FREE.with(|f| f.borrow_mut().clear());
    DEAD.with(|d| d.borrow_mut().clear());
    let retired = RETIRED.with(|r| std::mem::take(&mut *r.borrow_mut()));
    drop(retired);
    let key = KEY.with(|k| k.borrow_mut().take());
    drop(key);
}

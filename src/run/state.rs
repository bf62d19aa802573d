//! What the host keeps between calls into JS, per thread (one isolate runs on
//! the main thread): timers, promises rejected with no handler, the module
//! map, and the script's arguments. V8 handles stored here are dropped by
//! [`clear`] before the isolate goes away.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A module compiled from a file.
pub struct LoadedModule {
    /// Its file.
    pub path: PathBuf,
    /// Its `file://` URL.
    pub url: String,
    /// The module.
    pub module: v8::Global<v8::Module>,
    /// Whether it is the main module.
    pub main: bool,
}

/// The bootstrap's functions the event loop calls into.
pub struct Hooks {
    /// `(id)`: runs timer `id`.
    pub fire_timer: v8::Global<v8::Function>,
    /// `(type)`: dispatches `load`, `beforeunload` or `unload` on the
    /// global; true if a listener prevented the default.
    pub dispatch: v8::Global<v8::Function>,
    /// `(promise, reason)`: dispatches `unhandledrejection`; true if a
    /// listener prevented the default (the rejection is then not fatal).
    pub rejection: v8::Global<v8::Function>,
    /// `(class, message, code)`: a new `Deno.errors[class]` (NotCapable
    /// with Deno's hint about misplaced flags).
    pub error: v8::Global<v8::Function>,
    /// `()`: runs the callbacks `process.nextTick` queued.
    pub ticks: v8::Global<v8::Function>,
    /// `(files, filter)`: `ffic test`'s runner; a promise of the status.
    pub run_tests: v8::Global<v8::Function>,
    /// `(id, kind, data)`: a worker's message, error or end, dispatched on
    /// its Worker object; false if an error went unprevented.
    pub worker_event: v8::Global<v8::Function>,
    /// `(data)`: the parent's message, dispatched in a worker.
    pub worker_message: v8::Global<v8::Function>,
}

/// The host's per-isolate state.
#[derive(Default)]
pub struct State {
    /// Pending timers: (deadline, sequence) → timer id.
    pub timers: BTreeMap<(Instant, u64), u32>,
    /// Next sequence number, so equal deadlines fire in creation order.
    pub timer_sequence: u64,
    /// Promises rejected with no handler yet, with their reasons.
    pub unhandled: Vec<(v8::Global<v8::Promise>, v8::Global<v8::Value>)>,
    /// Every module loaded, in load order.
    pub modules: Vec<LoadedModule>,
    /// Module index by file.
    pub by_path: HashMap<PathBuf, usize>,
    /// The bootstrap's functions the event loop calls (shared: the loop
    /// takes them every turn).
    pub hooks: Option<std::rc::Rc<Hooks>>,
    /// Whether `process.nextTick` queued callbacks since they last ran.
    pub ticks_pending: bool,
    /// When the host started (`performance.now()` counts from here).
    pub started: Option<Instant>,
    /// `Deno.exitCode`: the status when the script ends by itself.
    pub exit_code: u8,
    /// What the command line asked for (workers start with the same).
    pub options: Option<super::RunOptions>,
    /// Pending timers that do not keep the event loop alive (`Deno.unrefTimer`).
    pub unreferenced: HashSet<u32>,
    /// Scripts and modules compiled from source, whose code is kept for the
    /// next run once this one ends.
    pub compiled: Vec<ffic_deno::code_cache::Pending>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Runs `f` with the state borrowed mutably. `f` must not call into JS.
pub fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// Drops every V8 handle the state holds (before the isolate is disposed).
pub fn clear() {
    STATE.with(|s| *s.borrow_mut() = State::default());
}

/// Schedules timer `id` to fire after `delay`.
pub fn start_timer(id: u32, delay: Duration) {
    with(|s| {
        s.timer_sequence += 1;
        let key = (Instant::now() + delay, s.timer_sequence);
        s.timers.insert(key, id);
    });
}

/// Whether a pending timer keeps the event loop alive.
pub fn timers_keep_alive() -> bool {
    with(|s| s.timers.values().any(|id| !s.unreferenced.contains(id)))
}

/// Marks timer `id` as keeping the event loop alive, or not.
pub fn reference_timer(id: u32, referenced: bool) {
    with(|s| {
        if referenced {
            s.unreferenced.remove(&id);
        } else {
            s.unreferenced.insert(id);
        }
    });
}

/// Cancels timer `id` if it is pending.
pub fn cancel_timer(id: u32) {
    with(|s| {
        s.unreferenced.remove(&id);
        s.timers.retain(|_, t| *t != id);
    });
}

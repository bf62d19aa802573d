//! Messages to an isolate's thread from other threads: a nonblocking call
//! that finished, a native thread asking to run an `UnsafeCallback`, or
//! something the host posted (a [`Waker`]). Each isolate with the binding
//! has its own inbox, reached through its [`Owner`], which calls in flight
//! and callbacks carry, so a worker's calls come back to the worker. The
//! event loop waits here when JS has nothing to run but work is in flight.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::c_void;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A native thread's request to run callback `id` on the isolate's thread.
/// The thread blocks until `done` is signalled (or dropped), so the argument
/// and result memory it points at stays valid meanwhile.
pub struct CallbackRequest {
    /// The callback.
    pub id: u64,
    /// One pointer per parameter to the argument's bytes.
    pub args: *const *const c_void,
    /// How many.
    pub count: usize,
    /// Where the result goes.
    pub result: *mut u8,
    /// Signalled when the result is written.
    pub done: SyncSender<()>,
}

// SAFETY: the pointers refer to the requesting thread's frame, which stays
// alive and untouched until `done` fires; only the isolate's thread uses
// them in between.
unsafe impl Send for CallbackRequest {}

/// What other threads tell an isolate's thread.
pub(crate) enum Inner {
    /// Nonblocking call `id` finished; `ret` holds a scalar result, and
    /// `errno` what it left, when its function captures errno.
    Done {
        id: u64,
        ret: [u8; 8],
        errno: Option<i32>,
    },
    /// A callback to run.
    Callback(CallbackRequest),
    /// The host's own message.
    Host(Box<dyn Any + Send>),
}

/// A message for the isolate's thread, to hand to
/// [`Binding::deliver`](crate::Binding::deliver).
pub struct Message(pub(crate) Inner);

/// The way into one isolate's inbox, shared with every thread that may post
/// to it; closed when the isolate's binding goes.
pub struct Owner {
    sender: Mutex<Option<Sender<Message>>>,
    /// Set once a thread of a library's own called one of the isolate's
    /// callbacks: such threads may run the library's code at any time.
    pub foreign_calls: std::sync::atomic::AtomicBool,
}

impl Owner {
    /// Posts `message`; `false` once the inbox is closed.
    pub fn send(&self, message: Inner) -> bool {
        let sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        sender
            .as_ref()
            .is_some_and(|s| s.send(Message(message)).is_ok())
    }
}

thread_local! {
    static OWNER: RefCell<Option<Arc<Owner>>> = const { RefCell::new(None) };
    /// The address of OWNER's inbox (0 for none): what `is_owner` compares
    /// on every callback. An address is not reused while a callback holds
    /// the `Arc` it names.
    static OWNER_ADDRESS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static RECEIVER: RefCell<Option<Receiver<Message>>> = const { RefCell::new(None) };
}

/// Opens this thread's inbox; `None` if one is open already (one isolate
/// with the binding per thread at a time).
pub fn open() -> Option<Arc<Owner>> {
    if OWNER.with(|o| o.borrow().is_some()) {
        return None;
    }
    let (sender, receiver) = channel();
    let owner = Arc::new(Owner {
        sender: Mutex::new(Some(sender)),
        foreign_calls: std::sync::atomic::AtomicBool::new(false),
    });
    OWNER.with(|o| *o.borrow_mut() = Some(Arc::clone(&owner)));
    OWNER_ADDRESS.with(|a| a.set(Arc::as_ptr(&owner) as usize));
    RECEIVER.with(|r| *r.borrow_mut() = Some(receiver));
    Some(owner)
}

/// Whether `owner` is this thread's inbox (a thread-local read, cheaper than
/// asking for the thread's id).
pub fn is_owner(owner: &Arc<Owner>) -> bool {
    OWNER_ADDRESS.with(|a| a.get()) == Arc::as_ptr(owner) as usize
}

/// This thread's inbox, for calls and callbacks to carry.
pub fn owner() -> Option<Arc<Owner>> {
    OWNER.with(|o| o.borrow().clone())
}

/// Closes this thread's inbox: later sends fail, so no thread waits on a
/// dead isolate.
pub fn close() {
    OWNER_ADDRESS.with(|a| a.set(0));
    if let Some(owner) = OWNER.with(|o| o.borrow_mut().take()) {
        *owner.sender.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
    RECEIVER.with(|r| *r.borrow_mut() = None);
}

/// The next message if one is waiting.
pub fn try_next() -> Option<Message> {
    RECEIVER.with(|r| r.borrow().as_ref()?.try_recv().ok())
}

/// How long a wait spins before it sleeps, when a reply is due soon (a
/// nonblocking call in flight): waking a sleeping thread costs tens of
/// microseconds here, more than most calls take.
const SPIN: std::time::Duration = std::time::Duration::from_micros(50);

/// Waits for the next message until `deadline` (forever if `None`),
/// spinning a little first if `soon`.
pub fn next(deadline: Option<Instant>, soon: bool) -> Option<Message> {
    RECEIVER.with(|r| {
        let r = r.borrow();
        let receiver = r.as_ref()?;
        if soon {
            let until = Instant::now() + SPIN;
            while Instant::now() < until && deadline.is_none_or(|d| Instant::now() < d) {
                if let Ok(message) = receiver.try_recv() {
                    return Some(message);
                }
                std::hint::spin_loop();
            }
        }
        match deadline {
            None => receiver.recv().ok(),
            Some(d) => receiver
                .recv_timeout(d.saturating_duration_since(Instant::now()))
                .ok(),
        }
    })
}

/// Posts host messages to an isolate's event loop from any thread (a
/// worker's messages to its parent, say), waking it if it waits.
#[derive(Clone)]
pub struct Waker(pub(crate) Arc<Owner>);

impl Waker {
    /// Posts `message`; `false` once the isolate's binding is gone.
    pub fn post(&self, message: Box<dyn Any + Send>) -> bool {
        self.0.send(Inner::Host(message))
    }
}

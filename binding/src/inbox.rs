//! Messages to the isolate's thread from other threads: a nonblocking call
//! that finished, or a native thread asking to run an `UnsafeCallback`. The
//! event loop waits here when JS has nothing to run but work is in flight.

use std::ffi::c_void;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel};
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

/// What other threads tell the isolate's thread.
pub enum Message {
    /// Nonblocking call `id` finished; `ret` holds a scalar result.
    Done { id: u64, ret: [u8; 8] },
    /// A callback to run.
    Callback(CallbackRequest),
}

static SENDER: OnceLock<Mutex<Option<Sender<Message>>>> = OnceLock::new();

thread_local! {
    static RECEIVER: std::cell::RefCell<Option<Receiver<Message>>> = const { std::cell::RefCell::new(None) };
}

/// Opens the inbox; called once on the isolate's thread.
pub fn open() {
    let (sender, receiver) = channel();
    *SENDER
        .get_or_init(|| Mutex::new(None))
        .lock()
        .expect("inbox lock") = Some(sender);
    RECEIVER.with(|r| *r.borrow_mut() = Some(receiver));
}

/// Closes the inbox: later sends fail, so no thread waits on a dead isolate.
pub fn close() {
    if let Some(sender) = SENDER.get() {
        *sender.lock().expect("inbox lock") = None;
    }
    RECEIVER.with(|r| *r.borrow_mut() = None);
}

/// Sends `message` to the isolate's thread; `false` once the inbox is closed.
pub fn send(message: Message) -> bool {
    let Some(sender) = SENDER.get() else {
        return false;
    };
    let sender = sender.lock().expect("inbox lock");
    sender.as_ref().is_some_and(|s| s.send(message).is_ok())
}

/// The next message if one is waiting.
pub fn try_next() -> Option<Message> {
    RECEIVER.with(|r| r.borrow().as_ref()?.try_recv().ok())
}

/// Waits for the next message until `deadline` (forever if `None`).
pub fn next(deadline: Option<Instant>) -> Option<Message> {
    RECEIVER.with(|r| {
        let r = r.borrow();
        let receiver = r.as_ref()?;
        match deadline {
            None => receiver.recv().ok(),
            Some(d) => receiver
                .recv_timeout(d.saturating_duration_since(Instant::now()))
                .ok(),
        }
    })
}

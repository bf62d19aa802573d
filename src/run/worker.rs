//! Workers, as Deno has them: each `new Worker(url, { type: "module" })` is
//! an isolate on a thread of its own running the same host (and FFI
//! binding, with the parent's permissions), its module loaded only with
//! read access to it. Messages travel serialized by V8 (transferred
//! ArrayBuffers moved); the parent's loop hears of its workers through its
//! binding's inbox, a worker's loop hears of its parent's messages the same
//! way. A live worker keeps its parent alive until it is terminated or
//! closes itself; an error it does not handle is reported in both and, if
//! the parent's `error` listeners do not prevent it, ends the parent too.

use super::clone::{self, Serialized};
use super::{RunOptions, errors, permissions, state};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

type Args<'s> = v8::FunctionCallbackArguments<'s>;
type Ret<'s> = v8::ReturnValue<'s, v8::Value>;

/// What a worker tells its parent.
pub enum FromWorker {
    /// `postMessage`.
    Message(Serialized),
    /// An error it did not handle, as an ErrorEvent describes it.
    Error {
        message: String,
        filename: String,
        lineno: u32,
        colno: u32,
    },
    /// It ended (closed itself, failed, or was terminated).
    Closed,
}

/// A worker's event, posted to the parent's inbox.
pub struct WorkerEvent {
    id: u32,
    event: FromWorker,
}

/// What parent and worker share: how to stop and wake the worker.
#[derive(Default)]
struct Control {
    /// Set by `terminate()`: the worker stops at once.
    terminated: AtomicBool,
    /// The worker's own inbox, once its binding is installed.
    waker: Mutex<Option<ffic_deno::Waker>>,
    /// To stop JS running in the worker.
    isolate: Mutex<Option<v8::IsolateHandle>>,
}

impl Control {
    /// Wakes the worker's loop if it waits.
    fn wake(&self) {
        let waker = self.waker.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(waker) = &*waker {
            waker.post(Box::new(()));
        }
    }
}

/// The parent's side of a live worker.
struct Link {
    to_worker: Sender<Serialized>,
    control: Arc<Control>,
}

/// A worker's side: its name, its parent, its messages.
struct Parent {
    id: u32,
    name: String,
    waker: ffic_deno::Waker,
    inbox: Receiver<Serialized>,
    control: Arc<Control>,
    /// `self.close()` was called, or an error ended it.
    closing: bool,
}

thread_local! {
    static WORKERS: RefCell<HashMap<u32, Link>> = RefCell::new(HashMap::new());
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// Set on a worker's thread.
    static PARENT: RefCell<Option<Parent>> = const { RefCell::new(None) };
}

/// Whether this thread runs a worker.
pub fn in_worker() -> bool {
    PARENT.with(|p| p.borrow().is_some())
}

/// The name a worker's errors carry (`Uncaught (in worker "name")`).
pub fn name() -> Option<String> {
    PARENT.with(|p| p.borrow().as_ref().map(|p| p.name.clone()))
}

/// Whether workers (in a parent) or the worker itself (not closing, not
/// terminated) keep this thread's loop alive.
pub fn keeps_alive() -> bool {
    match PARENT.with(|p| {
        p.borrow()
            .as_ref()
            .map(|p| !p.closing && !p.control.terminated.load(Ordering::SeqCst))
    }) {
        Some(alive) => alive,
        None => WORKERS.with(|w| !w.borrow().is_empty()),
    }
}

/// Whether this worker must stop now (terminated, or an error ended it).
pub fn stopping() -> bool {
    PARENT.with(|p| {
        p.borrow()
            .as_ref()
            .is_some_and(|p| p.control.terminated.load(Ordering::SeqCst) || p.closing)
    })
}

/// Posts `event` to this worker's parent.
fn to_parent(event: FromWorker) {
    PARENT.with(|p| {
        if let Some(parent) = &*p.borrow() {
            parent.waker.post(Box::new(WorkerEvent {
                id: parent.id,
                event,
            }));
        }
    });
}

/// Reports an error this worker did not handle to its parent (`text` is
/// the error's message line, `prefix` Deno's `Uncaught …` words before it,
/// the stack giving the location), and stops the worker.
pub fn failed(prefix: &str, text: &str) {
    let message = format!("{prefix}{}", text.lines().next().unwrap_or(""));
    let (filename, lineno, colno) = first_frame(text).unwrap_or_default();
    to_parent(FromWorker::Error {
        message,
        filename,
        lineno,
        colno,
    });
    close();
}

/// The location of a stack's first frame in a file.
fn first_frame(text: &str) -> Option<(String, u32, u32)> {
    text.lines()
        .filter(|l| l.starts_with("    at "))
        .find_map(|frame| {
            let location = frame.trim_end_matches(')');
            let location = location.rsplit_once('(').map_or(location, |(_, l)| l);
            let location = location.trim_start().trim_start_matches("at ");
            let mut parts = location.rsplitn(3, ':');
            let (column, line, url) = (parts.next()?, parts.next()?, parts.next()?);
            url.starts_with("file:")
                .then(|| Some((url.to_owned(), line.parse().ok()?, column.parse().ok()?)))?
        })
}

/// Takes the messages the parent sent (on a worker's thread).
pub fn take_messages() -> Vec<Serialized> {
    PARENT.with(|p| match &*p.borrow() {
        Some(parent) if !parent.closing => parent.inbox.try_iter().collect(),
        _ => Vec::new(),
    })
}

/// Handles what the inbox gave back to the host: a worker's event (in a
/// parent), dispatched through `dispatch(id, kind, data)` (which says
/// whether an error was prevented); `Err` if an error was not.
pub fn handle(
    scope: &mut v8::PinScope,
    payload: Box<dyn std::any::Any + Send>,
    dispatch: v8::Local<v8::Function>,
) -> Result<(), ()> {
    let Ok(event) = payload.downcast::<WorkerEvent>() else {
        return Ok(()); // a wake-up
    };
    let WorkerEvent { id, event } = *event;
    let live = WORKERS.with(|w| w.borrow().contains_key(&id));
    let id_value = v8::Integer::new_from_unsigned(scope, id).into();
    let (kind, data): (&str, v8::Local<v8::Value>) = match event {
        FromWorker::Message(_) | FromWorker::Error { .. } if !live => return Ok(()),
        FromWorker::Message(serialized) => match clone::deserialize(scope, serialized) {
            Some(value) => ("message", value),
            None => return Ok(()),
        },
        FromWorker::Error {
            message,
            filename,
            lineno,
            colno,
        } => {
            let object = v8::Object::new(scope);
            let fields: [(&str, v8::Local<v8::Value>); 4] = [
                (
                    "message",
                    v8::String::new(scope, &message).expect("text").into(),
                ),
                (
                    "filename",
                    v8::String::new(scope, &filename).expect("text").into(),
                ),
                (
                    "lineno",
                    v8::Integer::new_from_unsigned(scope, lineno).into(),
                ),
                ("colno", v8::Integer::new_from_unsigned(scope, colno).into()),
            ];
            for (key, value) in fields {
                let key = v8::String::new(scope, key).expect("key");
                object.set(scope, key.into(), value);
            }
            ("error", object.into())
        }
        FromWorker::Closed => {
            WORKERS.with(|w| w.borrow_mut().remove(&id));
            ("closed", v8::undefined(scope).into())
        }
    };
    let kind = v8::String::new(scope, kind).expect("kind").into();
    v8::tc_scope!(let tc, scope);
    let undefined = v8::undefined(tc).into();
    match dispatch.call(tc, undefined, &[id_value, kind, data]) {
        Some(prevented) if prevented.is_false() => {
            eprintln!("error: Uncaught (in promise) Error: Unhandled error in child worker.");
            Err(())
        }
        _ => Ok(()),
    }
}

/// What a worker's thread needs to start.
struct Spec {
    id: u32,
    path: PathBuf,
    name: String,
    options: RunOptions,
    grants: permissions::Grants,
    parent: ffic_deno::Waker,
    inbox: Receiver<Serialized>,
    control: Arc<Control>,
}

/// `workerCreate(url, name)`: starts a worker on the module at `url` (a
/// file: URL); its id.
fn create(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let url = args.get(0).to_rust_string_lossy(scope);
    let name = args.get(1).to_rust_string_lossy(scope);
    let Some(path) = super::modules::url_path(&url) else {
        return errors::throw_type_error(
            scope,
            &format!("Unsupported scheme in worker URL: {url}"),
        );
    };
    let Some(parent) = super::binding().map(|b| b.waker()) else {
        return errors::throw_type_error(scope, "the FFI binding is not installed");
    };
    let Some(options) = state::with(|s| s.options.clone()) else {
        return errors::throw_type_error(scope, "no run options");
    };
    let id = NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    let (to_worker, inbox) = channel();
    let control = Arc::new(Control::default());
    let spec = Spec {
        id,
        path,
        name,
        grants: options.grants.clone(),
        options,
        parent,
        inbox,
        control: Arc::clone(&control),
    };
    let started = std::thread::Builder::new()
        .name(format!("ffic-worker-{id}"))
        .spawn(move || run(spec));
    if let Err(e) = started {
        return errors::throw_type_error(scope, &format!("cannot start a worker thread: {e}"));
    }
    WORKERS.with(|w| w.borrow_mut().insert(id, Link { to_worker, control }));
    rv.set(v8::Integer::new_from_unsigned(scope, id).into());
}

/// `workerPost(id, value, transfer)`: a message to worker `id`.
fn post<'s>(scope: &mut v8::PinScope<'s, '_>, args: Args<'s>, _: Ret) {
    let id = args.get(0).uint32_value(scope).unwrap_or(0);
    let transfer = clone::buffers(scope, args.get(2));
    let Some(serialized) = clone::serialize(scope, args.get(1), &transfer) else {
        return;
    };
    WORKERS.with(|w| {
        if let Some(link) = w.borrow().get(&id) {
            let _ = link.to_worker.send(serialized);
            link.control.wake();
        }
    });
}

/// `workerTerminate(id)`: stops worker `id` now; it will not be heard of
/// again.
fn terminate(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let id = args.get(0).uint32_value(scope).unwrap_or(0);
    if let Some(link) = WORKERS.with(|w| w.borrow_mut().remove(&id)) {
        link.control.terminated.store(true, Ordering::SeqCst);
        if let Some(isolate) = &*link
            .control
            .isolate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
        {
            isolate.terminate_execution();
        }
        link.control.wake();
    }
}

/// `postToParent(value, transfer)`: a worker's message to its parent.
fn post_to_parent<'s>(scope: &mut v8::PinScope<'s, '_>, args: Args<'s>, _: Ret) {
    if stopping() {
        return;
    }
    let transfer = clone::buffers(scope, args.get(1));
    if let Some(serialized) = clone::serialize(scope, args.get(0), &transfer) {
        to_parent(FromWorker::Message(serialized));
    }
}

/// Ends this worker after the current task (its messages from then on are
/// not sent).
pub fn close() {
    PARENT.with(|p| {
        if let Some(parent) = &mut *p.borrow_mut() {
            parent.closing = true;
        }
    });
}

/// `closeSelf()`: `self.close()`.
fn close_self(_: &mut v8::PinScope, _: Args, _: Ret) {
    close();
}

/// Runs a worker to its end on this (new) thread.
fn run(spec: Spec) {
    let isolate = &mut super::new_isolate();
    *spec
        .control
        .isolate
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(isolate.thread_safe_handle());
    permissions::set(&spec.grants);
    let parent = spec.parent.clone();
    PARENT.with(|p| {
        *p.borrow_mut() = Some(Parent {
            id: spec.id,
            name: spec.name,
            waker: spec.parent,
            inbox: spec.inbox,
            control: Arc::clone(&spec.control),
            closing: false,
        })
    });
    let mut options = spec.options;
    options.script = spec.path.clone();
    options.test = None;
    super::execute_worker(isolate, &spec.path, &options, |binding| {
        *spec.control.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(binding.waker());
        // A message posted before the binding existed still wakes it.
        spec.control.wake();
    });
    super::close_binding();
    state::clear();
    *spec.control.waker.lock().unwrap_or_else(|e| e.into_inner()) = None;
    *spec
        .control
        .isolate
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = None;
    PARENT.with(|p| p.borrow_mut().take());
    parent.post(Box::new(WorkerEvent {
        id: spec.id,
        event: FromWorker::Closed,
    }));
}

/// Adds the worker natives to `object`.
pub fn install(scope: &mut v8::PinScope, object: v8::Local<v8::Object>) {
    use ffic_deno::set_function;
    set_function(scope, object, "workerCreate", create);
    set_function(scope, object, "workerPost", post);
    set_function(scope, object, "workerTerminate", terminate);
    set_function(scope, object, "postToParent", post_to_parent);
    set_function(scope, object, "closeSelf", close_self);
}

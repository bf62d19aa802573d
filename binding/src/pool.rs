//! The worker threads nonblocking FFI calls run on. Threads are started on
//! demand, up to a cap, and wait for more work once done; a call that blocks
//! holds only its own thread.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, OnceLock};

/// Work for one thread.
pub type Job = Box<dyn FnOnce() + Send>;

/// At most this many calls run at once, as in Deno's blocking pool; beyond
/// this many, calls queue.
const MAX_THREADS: usize = 512;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    idle: usize,
    threads: usize,
}

#[derive(Default)]
struct Pool {
    queue: Mutex<Queue>,
    ready: Condvar,
}

static POOL: OnceLock<Pool> = OnceLock::new();

/// Runs `job` on a worker thread. `Err` gives the job back when no thread
/// exists and none can be started.
pub fn spawn(job: Job) -> Result<(), Job> {
    let pool = POOL.get_or_init(Pool::default);
    let mut queue = pool.queue.lock().expect("pool lock");
    queue.jobs.push_back(job);
    // Idle workers only count down once they wake, so compare with the
    // queue: every job beyond the idle workers needs a thread of its own.
    if queue.jobs.len() > queue.idle && queue.threads < MAX_THREADS {
        let started = std::thread::Builder::new()
            .name("ffic-nonblocking".into())
            .spawn(move || work(pool));
        if started.is_ok() {
            queue.threads += 1;
        } else if queue.threads == 0 {
            return Err(queue.jobs.pop_back().expect("just pushed"));
        }
    } else {
        pool.ready.notify_one();
    }
    Ok(())
}

fn work(pool: &'static Pool) {
    loop {
        let job = {
            let mut queue = pool.queue.lock().expect("pool lock");
            loop {
                if let Some(job) = queue.jobs.pop_front() {
                    break job;
                }
                queue.idle += 1;
                queue = pool.ready.wait(queue).expect("pool lock");
                queue.idle -= 1;
            }
        };
        job();
    }
}

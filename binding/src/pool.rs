//! The worker threads nonblocking FFI calls run on. Threads are started on
//! demand, up to a cap; a call that blocks holds only its own thread.
//!
//! Waking a sleeping thread costs microseconds, more than most calls take,
//! so a worker that finishes a call spins a little for the next one before
//! it sleeps (one spinner at a time, so spinning never starves the isolate's
//! thread of a core), and a new call wakes or starts a thread only when no
//! worker is spinning. No call waits behind a busy thread: a worker that
//! takes a call while others remain queued and nobody spins wakes another.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// Work for one thread.
pub type Job = Box<dyn FnOnce() + Send>;

/// At most this many calls run at once, as in Deno's blocking pool; beyond
/// this many, calls queue.
const MAX_THREADS: usize = 512;

/// How long a worker that ran out of calls looks for another before it
/// sleeps.
const SPIN: Duration = Duration::from_micros(50);

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Workers waiting on `ready`.
    sleeping: usize,
    /// Wake-ups sent and not yet taken by a sleeper (a spurious wake-up
    /// finds none and sleeps again).
    wakeups: usize,
    threads: usize,
}

#[derive(Default)]
struct Pool {
    queue: Mutex<Queue>,
    ready: Condvar,
    /// `jobs.len()`, readable without the lock (what a spinner polls).
    queued: AtomicUsize,
    /// Workers awake with no call to run. Only ever 0 or 1 for long; it
    /// drops to 0 under the lock before its worker sleeps, so a call queued
    /// while it is 1 is always seen.
    spinning: AtomicUsize,
}

static POOL: OnceLock<Pool> = OnceLock::new();

impl Pool {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes a sleeping worker or starts one, unless one is spinning;
    /// `false` if neither was possible and no thread exists at all.
    fn summon(&'static self, queue: &mut Queue) -> bool {
        if self.spinning.load(Ordering::SeqCst) > 0 {
            return true;
        }
        if queue.sleeping > queue.wakeups {
            queue.wakeups += 1;
            self.ready.notify_one();
            return true;
        }
        if queue.threads < MAX_THREADS {
            let started = std::thread::Builder::new()
                .name("ffic-nonblocking".into())
                .spawn(move || self.work());
            if started.is_ok() {
                queue.threads += 1;
                return true;
            }
        }
        queue.threads > 0
    }

    /// The next call, taken under the lock; wakes another worker when more
    /// are queued and nobody spins for them.
    fn take(&'static self, queue: &mut Queue) -> Option<Job> {
        let job = queue.jobs.pop_front()?;
        self.queued.store(queue.jobs.len(), Ordering::SeqCst);
        if !queue.jobs.is_empty() {
            self.summon(queue);
        }
        Some(job)
    }

    /// Spins for the next call for up to `SPIN`, then gives the lock back
    /// with the spinning count cleared under it: a call queued while this
    /// thread spun is in the queue, and later ones summon a thread.
    fn spin(&'static self) -> MutexGuard<'static, Queue> {
        let until = Instant::now() + SPIN;
        loop {
            for _ in 0..64 {
                if self.queued.load(Ordering::SeqCst) > 0 {
                    let queue = self.lock();
                    if !queue.jobs.is_empty() {
                        self.spinning.store(0, Ordering::SeqCst);
                        return queue;
                    }
                }
                std::hint::spin_loop();
            }
            if Instant::now() >= until {
                let queue = self.lock();
                self.spinning.store(0, Ordering::SeqCst);
                return queue;
            }
        }
    }

    fn work(&'static self) {
        let mut queue = self.lock();
        loop {
            if let Some(job) = self.take(&mut queue) {
                drop(queue);
                job();
                // Spin for the next call if no one else does.
                let spin = self
                    .spinning
                    .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok();
                queue = if spin { self.spin() } else { self.lock() };
                continue;
            }
            queue.sleeping += 1;
            loop {
                queue = self.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
                if queue.wakeups > 0 {
                    queue.wakeups -= 1;
                    break;
                }
            }
            queue.sleeping -= 1;
        }
    }
}

/// Runs `job` on a worker thread. `Err` gives the job back when no thread
/// exists and none can be started.
pub fn spawn(job: Job) -> Result<(), Job> {
    let pool = POOL.get_or_init(Pool::default);
    let mut queue = pool.lock();
    queue.jobs.push_back(job);
    pool.queued.store(queue.jobs.len(), Ordering::SeqCst);
    if !pool.summon(&mut queue) {
        let job = queue.jobs.pop_back().expect("just pushed");
        pool.queued.store(queue.jobs.len(), Ordering::SeqCst);
        return Err(job);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::spawn;
    use std::sync::mpsc::channel;
    use std::sync::{Arc, Barrier};
    use std::time::Duration;

    /// Every call runs at once with the others: 64 calls that each wait
    /// until all 64 are running finish only if none queued behind another,
    /// whether the calls arrive in a burst or one by one after a pause that
    /// lets a worker spin.
    #[test]
    fn no_call_waits_behind_a_blocked_one() {
        for pause in [None, Some(Duration::from_micros(20))] {
            let n = 64;
            let barrier = Arc::new(Barrier::new(n));
            let (done, finished) = channel();
            for _ in 0..n {
                let (barrier, done) = (Arc::clone(&barrier), done.clone());
                let job = Box::new(move || {
                    barrier.wait();
                    done.send(()).expect("the test waits");
                });
                assert!(spawn(job).is_ok());
                if let Some(pause) = pause {
                    std::thread::sleep(pause);
                }
            }
            for _ in 0..n {
                finished
                    .recv_timeout(Duration::from_secs(20))
                    .expect("every call ran while the others blocked");
            }
        }
    }

    /// A burst of short calls all run, while one call blocks throughout.
    #[test]
    fn short_calls_pass_a_blocked_one() {
        let (release, blocked) = channel::<()>();
        assert!(spawn(Box::new(move || blocked.recv().unwrap_or_default())).is_ok());
        let (done, finished) = channel();
        for i in 0..10_000 {
            let done = done.clone();
            assert!(spawn(Box::new(move || done.send(i).expect("the test waits"))).is_ok());
        }
        let mut sum = 0u64;
        for _ in 0..10_000 {
            sum += finished
                .recv_timeout(Duration::from_secs(20))
                .expect("a short call ran");
        }
        assert_eq!(sum, 10_000 * 9_999 / 2);
        release.send(()).expect("the blocked call waits");
    }
}

//! One library shared by 8 threads, each making 100k mixed calls (scalars,
//! 64-bit, floats, a buffer, structs in and out), on the artifact and on
//! libffi: every result is checked.

mod support;

use ffic_loader::{CallPath, DynamicLibrary, OpenOptions, Value};
use std::sync::Arc;

const THREADS: u32 = 8;
const CALLS: u32 = 100_000;

fn hammer(lib: Arc<DynamicLibrary>) {
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let lib = Arc::clone(&lib);
            std::thread::spawn(move || {
                let add_i32 = lib.function("add_i32").unwrap().unwrap();
                let add_f64 = lib.function("add_f64").unwrap().unwrap();
                let add_u64 = lib.function("add_u64").unwrap().unwrap();
                let buf_sum = lib.function("buf_sum").unwrap().unwrap();
                let swap_pt = lib.function("swap_pt").unwrap().unwrap();
                let make_dl = lib.function("make_dl").unwrap().unwrap();
                let mut buffer = [t as u8; 16];
                for i in 0..CALLS {
                    let n = (i * THREADS + t) as i32;
                    // SAFETY: each function gets values of its signature; the
                    // buffer is this thread's and outlives the call.
                    unsafe {
                        match i % 6 {
                            0 => assert_eq!(
                                add_i32.call(&[Value::I32(n), Value::I32(-7)]),
                                Ok(Value::I32(n - 7))
                            ),
                            1 => assert_eq!(
                                add_f64.call(&[Value::F64(f64::from(n)), Value::F64(0.5)]),
                                Ok(Value::F64(f64::from(n) + 0.5))
                            ),
                            2 => assert_eq!(
                                add_u64.call(&[Value::U64(u64::MAX - n as u64), Value::U64(1)]),
                                Ok(Value::U64(u64::MAX - n as u64 + 1))
                            ),
                            3 => {
                                buffer[0] = i as u8;
                                let sum = u32::from(i as u8) + 15 * t;
                                assert_eq!(
                                    buf_sum.call(&[
                                        Value::Pointer(buffer.as_mut_ptr().cast()),
                                        Value::Usize(16)
                                    ]),
                                    Ok(Value::U32(sum))
                                );
                            }
                            4 => {
                                let pt = [n.to_le_bytes(), (!n).to_le_bytes()].concat();
                                let swapped = [(!n).to_le_bytes(), n.to_le_bytes()].concat();
                                assert_eq!(
                                    swap_pt.call(&[Value::Struct(pt.into())]),
                                    Ok(Value::Struct(swapped.into()))
                                );
                            }
                            _ => {
                                let dl = [f64::from(n).to_le_bytes(), i64::from(n).to_le_bytes()];
                                assert_eq!(
                                    make_dl.call(&[Value::F64(f64::from(n)), Value::I64(n.into())]),
                                    Ok(Value::Struct(dl.concat().into()))
                                );
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("every call on every thread is right");
    }
}

fn open(options: OpenOptions) -> Arc<DynamicLibrary> {
    // SAFETY: the descriptor describes the test library truthfully.
    Arc::new(unsafe { options.open(support::library(), ffic_testlib::library_path()) }.unwrap())
}

#[test]
fn eight_threads_share_the_artifact() {
    let compiled = support::compile();
    let lib = open(OpenOptions::new().artifact(&compiled.path));
    assert_eq!(lib.path(), CallPath::Artifact);
    hammer(lib);
}

#[test]
fn eight_threads_share_libffi() {
    let lib = open(OpenOptions::new().jit(false));
    assert_eq!(lib.path(), CallPath::Libffi);
    hammer(lib);
}

//! An artifact on a `noexec` mount cannot be mapped executable: the loader
//! copies its verified bytes into fresh memory and the code still runs.
//! Needs permission to mount a tmpfs (root, as on the CI machines); where
//! that is refused the test says so and checks nothing.

mod support;

use ffic_loader::CodeSource;
use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Mount(PathBuf);

impl Mount {
    fn noexec_tmpfs(dir: &Path) -> Option<Mount> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "noexec,size=8m", "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(dir.to_owned()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn an_artifact_on_a_noexec_mount_runs_from_a_verified_copy() {
    let compiled = support::compile();
    let mountpoint = compiled.dir.path().join("noexec");
    std::fs::create_dir(&mountpoint).unwrap();
    let Some(_mount) = Mount::noexec_tmpfs(&mountpoint) else {
        eprintln!("SKIPPED: cannot mount a noexec tmpfs here (not root?)");
        return;
    };
    let path = mountpoint.join("ffic_test.ffic");
    support::write_artifact(&path, &compiled.bytes);
    let artifact = support::load(&path, &support::helpers(false)).unwrap();
    assert_eq!(
        artifact.source(),
        CodeSource::Copy,
        "the file's pages cannot be executable on noexec"
    );
    let index = support::library()
        .symbols
        .iter()
        .position(|s| s.name == "add_i32")
        .unwrap();
    let symbol = artifact.symbols().nth(index).unwrap();
    let args = [40u64, 2];
    let mut ret = [0u8; 8];
    // SAFETY: the invoke trampoline of (i32,i32)->i32 with two argument slots.
    unsafe {
        let f: unsafe extern "C" fn(*const c_void, *const u64, *mut u8) =
            std::mem::transmute(symbol.invoke.unwrap());
        f(symbol.address.unwrap(), args.as_ptr(), ret.as_mut_ptr());
    }
    assert_eq!(i32::from_le_bytes(ret[..4].try_into().unwrap()), 42);
    // A corrupt file on the same mount is rejected all the same.
    let mut bad = compiled.bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    support::write_artifact(&path, &bad);
    assert!(support::load(&path, &support::helpers(false)).is_err());
}

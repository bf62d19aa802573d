//! Builds `ffic_test.c` into a shared library in OUT_DIR. The C compiler is the
//! ABI reference the trampolines are tested against, so this is C, not Rust.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let source = PathBuf::from("ffic_test.c");
    println!("cargo:rerun-if-changed={}", source.display());
    let library = out.join("libffic_test.so");
    let compiler = cc::Build::new().opt_level(2).get_compiler();
    let status = compiler
        .to_command()
        .args([
            "-shared",
            "-fPIC",
            "-pthread",
            "-std=gnu11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-o",
        ])
        .arg(&library)
        .arg(&source)
        .status()
        .expect("the C compiler runs");
    assert!(status.success(), "building {} failed", source.display());
    println!("cargo:rustc-env=FFIC_TEST_LIBRARY={}", library.display());
}

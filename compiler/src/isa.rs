//! The Cranelift target ISA for a [`Target`]: baseline CPU features only, and
//! position-independent code so every external address goes through a
//! GOT-style load, which the emitter points at the import table.

use crate::CompileError;
use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use ffic_schema::{Arch, Target};

/// CPU features the generated code assumes beyond the target's baseline, as
/// recorded in the artifact header (bit set; none yet: baseline only).
pub const CPU_FEATURES: u64 = 0;

/// The target triple recorded in artifacts.
pub fn triple(target: Target) -> &'static str {
    match target.arch {
        Arch::X86_64 => "x86_64-unknown-linux-gnu",
        Arch::Aarch64 => "aarch64-unknown-linux-gnu",
    }
}

/// The triple of the host this process runs on, if ffic knows it (Linux on
/// x86_64 or aarch64); artifacts load only where this matches exactly.
pub fn host_triple() -> Option<&'static str> {
    if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        Some(triple(Target::X86_64_LINUX))
    } else if cfg!(all(target_arch = "aarch64", target_os = "linux")) {
        Some(triple(Target::AARCH64_LINUX))
    } else {
        None
    }
}

/// Builds the ISA that trampolines for `target` are compiled with.
pub fn build(target: Target) -> Result<OwnedTargetIsa, CompileError> {
    let name = triple(target);
    if target.arch != Arch::X86_64 {
        return Err(CompileError::UnsupportedTarget(name));
    }
    let mut flags = settings::builder();
    for (flag, value) in [
        ("opt_level", "speed"),
        ("is_pic", "true"),
        // Large by-value structs make large frames: probe them, inline, so
        // that no probestack symbol is referenced.
        ("enable_probestack", "true"),
        ("probestack_strategy", "inline"),
    ] {
        flags
            .set(flag, value)
            .unwrap_or_else(|e| panic!("cranelift flag {flag}={value}: {e}"));
    }
    let builder = isa::lookup_by_name(name).map_err(|_| CompileError::UnsupportedTarget(name))?;
    builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| CompileError::Codegen {
            function: "(isa)".into(),
            message: e.to_string(),
        })
}

//! C data layout of native types for a target: sizes, alignments and struct
//! field offsets, as the System V x86-64 and AAPCS64 (LP64) ABIs lay them out.

use crate::native::Kind;
use crate::types::Primitive;

/// The CPU architecture code is laid out and generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// x86-64, System V ABI.
    X86_64,
    /// AArch64, AAPCS64.
    Aarch64,
}

/// A compilation target (Linux, LP64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target {
    /// The architecture.
    pub arch: Arch,
}

impl Target {
    /// x86_64-unknown-linux-gnu.
    pub const X86_64_LINUX: Target = Target { arch: Arch::X86_64 };
    /// aarch64-unknown-linux-gnu.
    pub const AARCH64_LINUX: Target = Target {
        arch: Arch::Aarch64,
    };

    /// The target this process runs on.
    pub const fn host() -> Target {
        if cfg!(target_arch = "aarch64") {
            Target::AARCH64_LINUX
        } else {
            Target::X86_64_LINUX
        }
    }

    /// Bytes in a pointer (and in `size_t`).
    pub fn pointer_size(self) -> u64 {
        8
    }

    /// Size and alignment of a primitive (`void` has neither).
    pub fn primitive_layout(self, primitive: Primitive) -> (u64, u64) {
        let size = match primitive.kind() {
            Kind::Void => 0,
            Kind::Bool => 1,
            Kind::Int(int) => int.width.bytes(self.pointer_size()),
            Kind::Float(float) => float.bytes(),
            Kind::Pointer(_) => self.pointer_size(),
        };
        // Every primitive is naturally aligned on both LP64 ABIs.
        (size, size.max(1))
    }
}

/// Field offsets, size and alignment of a struct whose fields have the given
/// (size, alignment) pairs, by the C rules: each field at the next multiple of
/// its alignment, the struct aligned to its most aligned field and padded to a
/// multiple of that.
pub fn struct_layout(fields: &[(u64, u64)]) -> (Vec<u64>, u64, u64) {
    let mut offsets = Vec::with_capacity(fields.len());
    let mut end = 0u64;
    let mut align = 1u64;
    for &(size, field_align) in fields {
        let offset = end.next_multiple_of(field_align);
        offsets.push(offset);
        end = offset + size;
        align = align.max(field_align);
    }
    (offsets, end.next_multiple_of(align), align)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_fields_and_the_tail() {
        // struct { char; double; short; } on LP64: offsets 0, 8, 16; size 24.
        assert_eq!(
            struct_layout(&[(1, 1), (8, 8), (2, 2)]),
            (vec![0, 8, 16], 24, 8)
        );
        // struct { short; char; } : size 4, align 2.
        assert_eq!(struct_layout(&[(2, 2), (1, 1)]), (vec![0, 2], 4, 2));
    }
}

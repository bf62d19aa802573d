//! Page-granular memory for mapped artifacts: a reservation holding the
//! artifact's bytes (the file mapped privately, or an anonymous copy) with
//! the import table's pages right after them, and the protection changes
//! that publish it. All raw `mmap`/`mprotect` use lives here.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::ptr::NonNull;

/// The host's page size.
pub fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(4096)
}

/// Page protections used here.
#[derive(Debug, Clone, Copy)]
pub enum Protection {
    /// Read only.
    Read,
    /// Read and write.
    ReadWrite,
    /// Read and execute, never write.
    ReadExecute,
}

/// `len_bytes` artifact bytes followed by `table_bytes` of import table, in
/// one reservation that is unmapped on drop.
#[derive(Debug)]
pub struct Region {
    base: NonNull<u8>,
    len: usize,
    bytes_len: usize,
}

// SAFETY: the region is plain memory owned by this value; after publication
// it is read-only or read+execute and never written, so sharing it between
// threads is sound.
unsafe impl Send for Region {}
// SAFETY: as above: no interior mutation after publication.
unsafe impl Sync for Region {}

impl Region {
    /// Maps `file` (its first `file_len` bytes) read-only and privately,
    /// followed by `table_bytes` of inaccessible pages for the import table.
    pub fn map_file(file: &File, file_len: usize, table_bytes: usize) -> io::Result<Region> {
        let region = Region::reserve(file_len, table_bytes)?;
        // SAFETY: the target range lies inside our own fresh reservation
        // (MAP_FIXED replaces only those pages); the fd is open for reading.
        let mapped = unsafe {
            libc::mmap(
                region.base.as_ptr().cast(),
                file_len,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_FIXED,
                file.as_raw_fd(),
                0,
            )
        };
        if mapped == libc::MAP_FAILED {
            let error = io::Error::last_os_error();
            // A failed MAP_FIXED may already have unmapped part of the
            // reservation; take the range back before `drop` unmaps it, so
            // that no other thread's mapping in the hole is unmapped.
            // SAFETY: the range is our reservation's; anonymous PROT_NONE.
            let again = unsafe {
                libc::mmap(
                    region.base.as_ptr().cast(),
                    file_len,
                    libc::PROT_NONE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                )
            };
            if again == libc::MAP_FAILED {
                std::mem::forget(region);
            }
            return Err(error);
        }
        Ok(region)
    }

    /// An anonymous copy of `bytes` (read-only), with the table pages after it.
    pub fn copy_of(bytes: &[u8], table_bytes: usize) -> io::Result<Region> {
        let region = Region::reserve(bytes.len(), table_bytes)?;
        region.protect(0, region.table_offset(), Protection::ReadWrite)?;
        // SAFETY: the first `bytes.len()` bytes of the reservation are now
        // writable and belong to us alone; `bytes` is a distinct allocation.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), region.base.as_ptr(), bytes.len());
        }
        region.protect(0, region.table_offset(), Protection::Read)?;
        Ok(region)
    }

    fn reserve(bytes_len: usize, table_bytes: usize) -> io::Result<Region> {
        let page = page_size();
        let len = bytes_len.next_multiple_of(page) + table_bytes.next_multiple_of(page);
        // SAFETY: a fresh anonymous PROT_NONE mapping has no preconditions.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len.max(page),
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Region {
            base: NonNull::new(base.cast()).expect("mmap never returns null on success"),
            len: len.max(page),
            bytes_len,
        })
    }

    /// The artifact's bytes.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the first `bytes_len` bytes are mapped readable for the
        // region's lifetime and never written through another path.
        unsafe { std::slice::from_raw_parts(self.base.as_ptr(), self.bytes_len) }
    }

    /// Start address.
    pub fn base(&self) -> *const u8 {
        self.base.as_ptr()
    }

    /// Offset of the import table: the first page after the bytes.
    pub fn table_offset(&self) -> usize {
        self.bytes_len.next_multiple_of(page_size())
    }

    /// Changes the protection of `[offset, offset + len)` (page-aligned).
    pub fn protect(&self, offset: usize, len: usize, protection: Protection) -> io::Result<()> {
        assert!(
            offset.is_multiple_of(page_size()) && offset + len <= self.len,
            "protect inside the region"
        );
        if len == 0 {
            return Ok(());
        }
        let prot = match protection {
            Protection::Read => libc::PROT_READ,
            Protection::ReadWrite => libc::PROT_READ | libc::PROT_WRITE,
            Protection::ReadExecute => libc::PROT_READ | libc::PROT_EXEC,
        };
        // SAFETY: the range lies inside our reservation (asserted above).
        let rc = unsafe { libc::mprotect(self.base.as_ptr().add(offset).cast(), len, prot) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Writes the import table (its pages must be writable).
    pub fn write_table(&self, slots: &[usize]) {
        let table = self.table_offset();
        assert!(
            table + slots.len() * 8 <= self.len,
            "the table fits its pages"
        );
        // SAFETY: the table pages belong to this region, are writable (the
        // caller made them so) and nothing else references them yet.
        unsafe {
            std::ptr::copy_nonoverlapping(
                slots.as_ptr(),
                self.base.as_ptr().add(table).cast::<usize>(),
                slots.len(),
            );
        }
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the reservation made in `reserve`; the owner
        // guarantees no code in it runs any more (see MappedArtifact).
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.len);
        }
    }
}

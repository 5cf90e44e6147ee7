//! The binary's allocator. With `gnutsim run --huge-pages` ([`enable`]), buffers of 2 MiB and more allocated
//! under [`advise`] (the overlay's offsets and lists; the recorder's counters, visited sets and routes of a run)
//! get mappings of their own, aligned to 2 MiB and advised for transparent huge pages (`MADV_HUGEPAGE`).
//! Everything else, and everything without the flag, comes from the system allocator.
//!
//! Why: the event loop reaches peers' neighbour lists, offsets and counters at random. At 10^6 peers and more
//! those arrays span hundreds of megabytes, and on 4 KiB pages nearly every such reach also misses the TLB and
//! walks the page tables. Linux gives huge pages only to memory advised for them when THP is set to `madvise`
//! (Debian's and Ubuntu's default), and glibc advises nothing. Off by default, and only those buffers: a fresh
//! huge page can cost far more to fault in than its 512 small pages (in a VM that hands free memory back to its
//! host, ~10 ms: 3 s more to build 10^7 peers here), which a short run does not win back. Results do not depend
//! on any of it: where the system offers no huge pages the advice does nothing. Measurements:
//! docs/performance.md ("Huge pages").

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The buffers that get their own huge-page mapping: at least one huge page long (a shorter one cannot fill
/// one, and a huge page would only add to its resident memory).
pub const HUGE_PAGE: usize = 2 << 20;

/// The allocator (`#[global_allocator]` of the binary and of the unit tests).
pub struct HugePages;

/// Whether the advice is on for the process (`gnutsim run --huge-pages`).
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns the advice on for the rest of the process; until then [`advise`] changes nothing.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

thread_local! {
    /// Whether this thread's large blocks are advised for huge pages now.
    static ADVISED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// While the returned guard lives, large blocks allocated on this thread are advised for huge pages (blocks that
/// the event loop reaches at random, for long).
pub fn advise() -> Advice {
    Advice {
        was: ADVISED.try_with(|a| a.replace(true)).unwrap_or(false),
    }
}

/// See [`advise`].
#[must_use = "the advice lasts as long as the guard"]
pub struct Advice {
    was: bool,
}

impl Drop for Advice {
    fn drop(&mut self) {
        let _ = ADVISED.try_with(|a| a.set(self.was));
    }
}

/// `make()`, its large blocks advised for huge pages (see [`advise`]).
pub fn with_advice<T>(make: impl FnOnce() -> T) -> T {
    let _advice = advise();
    make()
}

#[inline]
fn advised() -> bool {
    ENABLED.load(Ordering::Relaxed) && ADVISED.try_with(|a| a.get()).unwrap_or(false)
}

/// Whether a block of this layout gets a mapping of its own: advised, at least a huge page long, no more aligned.
#[inline]
fn wants_mapping(size: usize, align: usize) -> bool {
    cfg!(target_os = "linux") && size >= HUGE_PAGE && align <= HUGE_PAGE && advised()
}

/// A mapping's length: whole 4 KiB pages. Its start is at a huge-page boundary; its last part, shorter than a
/// huge page, stays on small pages (a huge page there would be resident whole, up to 2 MiB more per buffer).
#[inline]
fn mapping_len(size: usize) -> usize {
    size.next_multiple_of(4096)
}

#[cfg(target_os = "linux")]
mod os {
    use super::{HUGE_PAGE, mapping_len};
    use std::ptr::null_mut;

    /// `len` bytes of address space at a huge-page boundary, mapped with `prot` (the parts of a larger mapping
    /// before the boundary and after the length are unmapped); null if there is none.
    unsafe fn aligned(len: usize, prot: libc::c_int) -> *mut u8 {
        let mut flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        if prot == libc::PROT_NONE {
            flags |= libc::MAP_NORESERVE;
        }
        // SAFETY: a fresh anonymous mapping; the parts trimmed off are within it and nothing refers to them.
        unsafe {
            let raw = libc::mmap(null_mut(), len + HUGE_PAGE, prot, flags, -1, 0);
            if raw == libc::MAP_FAILED {
                return null_mut();
            }
            let raw = raw as usize;
            let start = raw.next_multiple_of(HUGE_PAGE);
            let lead = start - raw;
            if lead > 0 {
                libc::munmap(raw as *mut _, lead);
            }
            libc::munmap((start + len) as *mut _, HUGE_PAGE - lead);
            start as *mut u8
        }
    }

    /// A zeroed mapping of `size` bytes at a huge-page boundary, advised for huge pages; null if the system has
    /// no memory for it.
    pub unsafe fn map(size: usize) -> *mut u8 {
        let len = mapping_len(size);
        unsafe {
            let p = aligned(len, libc::PROT_READ | libc::PROT_WRITE);
            if !p.is_null() {
                // Advice: without THP it fails or does nothing, and the mapping works as any other.
                libc::madvise(p as *mut _, len, libc::MADV_HUGEPAGE);
            }
            p
        }
    }

    /// Unmaps a block from [`map`] of `size` bytes.
    pub unsafe fn unmap(p: *mut u8, size: usize) {
        // SAFETY: `p` and the length are those `map` (or `remap`) mapped.
        unsafe {
            libc::munmap(p as *mut _, mapping_len(size));
        }
    }

    /// Resizes a block from [`map`] without copying: shrunk or grown in place, else its pages moved to a new
    /// huge-page boundary (the kernel keeps the advice); null if there is no room.
    pub unsafe fn remap(p: *mut u8, size: usize, new_size: usize) -> *mut u8 {
        let (len, new_len) = (mapping_len(size), mapping_len(new_size));
        // SAFETY: `p` and `len` are a whole mapping from `map`; the target of a move is address space reserved
        // here, which the move replaces.
        unsafe {
            if new_len <= len {
                if new_len < len {
                    libc::munmap(p.add(new_len) as *mut _, len - new_len);
                }
                return p;
            }
            if libc::mremap(p as *mut _, len, new_len, 0) != libc::MAP_FAILED {
                return p;
            }
            let target = aligned(new_len, libc::PROT_NONE);
            if target.is_null() {
                return null_mut();
            }
            let flags = libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED;
            let q = libc::mremap(p as *mut _, len, new_len, flags, target);
            if q == libc::MAP_FAILED {
                libc::munmap(target as *mut _, new_len);
                return null_mut();
            }
            q as *mut u8
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod os {
    // Never called: `wants_mapping` is false off Linux.
    pub unsafe fn map(_: usize) -> *mut u8 {
        std::ptr::null_mut()
    }
    pub unsafe fn unmap(_: *mut u8, _: usize) {}
    pub unsafe fn remap(_: *mut u8, _: usize, _: usize) -> *mut u8 {
        std::ptr::null_mut()
    }
}

/// The mappings made here, by address (0: a free slot). A block is one of them, or the system allocator's.
/// Only advised buffers get one (a few dozen in a run); when all slots are taken, blocks come from the system.
static MAPPINGS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
const SLOTS: usize = 1024;

fn register(p: *mut u8) -> bool {
    MAPPINGS.iter().any(|slot| {
        slot.compare_exchange(0, p as usize, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    })
}

/// The slot of mapping `p`, if it is one (live mappings have distinct addresses).
fn slot_of(p: *mut u8) -> Option<&'static AtomicUsize> {
    MAPPINGS
        .iter()
        .find(|slot| slot.load(Ordering::Acquire) == p as usize)
}

/// The slot of block `p` of `size` bytes if it is a mapping here (without the flag there are none: it is never
/// turned off).
#[inline]
fn mapping_slot(p: *mut u8, size: usize) -> Option<&'static AtomicUsize> {
    if size >= HUGE_PAGE && ENABLED.load(Ordering::Relaxed) {
        slot_of(p)
    } else {
        None
    }
}

/// Whether `p` is a block of its own mapping here (advised for huge pages).
#[cfg(test)]
pub(crate) fn is_mapping(p: *const u8) -> bool {
    slot_of(p as *mut u8).is_some()
}

/// A registered mapping for a block of `layout`, if it wants one and gets one.
#[inline]
fn try_map(layout: Layout) -> Option<*mut u8> {
    if !wants_mapping(layout.size(), layout.align()) {
        return None;
    }
    // SAFETY: a fresh mapping, unmapped again if it cannot be registered.
    unsafe {
        let p = os::map(layout.size());
        if p.is_null() {
            return None;
        }
        if register(p) {
            return Some(p);
        }
        os::unmap(p, layout.size());
    }
    None
}

// SAFETY: every block is either a mapping of its own (registered in `MAPPINGS` while it lives) or the system
// allocator's, and goes back to where it came from; `realloc` moves a block between the two with a copy.
// Mappings are zeroed and aligned to 2 MiB, which covers any alignment `wants_mapping` accepts.
unsafe impl GlobalAlloc for HugePages {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match try_map(layout) {
            Some(p) => p,
            None => unsafe { System.alloc(layout) },
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // A mapping is zeroed already.
        match try_map(layout) {
            Some(p) => p,
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    #[inline]
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if let Some(slot) = mapping_slot(p, layout.size()) {
            slot.store(0, Ordering::Release);
            unsafe { os::unmap(p, layout.size()) }
        } else {
            unsafe { System.dealloc(p, layout) }
        }
    }

    #[inline]
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let ours = mapping_slot(p, layout.size());
        if let Some(slot) = ours
            && new_size >= HUGE_PAGE
        {
            let q = unsafe { os::remap(p, layout.size(), new_size) };
            if !q.is_null() {
                slot.store(q as usize, Ordering::Release);
            }
            return q;
        }
        if ours.is_none() && !wants_mapping(new_size, layout.align()) {
            return unsafe { System.realloc(p, layout, new_size) };
        }
        // Between a mapping and the system allocator: a new block, and a copy.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let q = self.alloc(new_layout);
            if !q.is_null() {
                std::ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                self.dealloc(p, layout);
            }
            q
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The `VmFlags` of the mapping that holds `p`, from /proc/self/smaps.
    fn vm_flags(p: *const u8) -> String {
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("/proc/self/smaps");
        let addr = p as usize;
        let mut inside = false;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ')
                && let Some((lo, hi)) = range.split_once('-')
                && let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
            {
                inside = lo <= addr && addr < hi;
            } else if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
                return flags.trim().to_string();
            }
        }
        panic!("no mapping holds {addr:#x}");
    }

    fn fill(p: *mut u8, len: usize, seed: u8) {
        for i in (0..len).step_by(4093) {
            unsafe { *p.add(i) = seed.wrapping_add(i as u8) };
        }
    }

    fn filled(p: *const u8, len: usize, seed: u8) -> bool {
        (0..len)
            .step_by(4093)
            .all(|i| unsafe { *p.add(i) } == seed.wrapping_add(i as u8))
    }

    #[test]
    fn large_blocks_are_aligned_zeroed_and_advised_for_huge_pages_when_asked() {
        let a = HugePages;
        enable();
        // Not asked: the system allocator's block, not registered, not advised; it grows as the system's.
        let layout = Layout::from_size_align(3 * HUGE_PAGE, 8).unwrap();
        let p = unsafe { a.alloc(layout) };
        fill(p, 3 * HUGE_PAGE, 5);
        assert!(slot_of(p).is_none() && !vm_flags(p).split(' ').any(|f| f == "hg"));
        let p = unsafe { a.realloc(p, layout, 4 * HUGE_PAGE) };
        assert!(slot_of(p).is_none() && filled(p, 3 * HUGE_PAGE, 5));
        unsafe { a.dealloc(p, Layout::from_size_align(4 * HUGE_PAGE, 8).unwrap()) };
        let advice = advise();
        {
            let _inner = advise();
        }
        assert!(advised(), "an inner guard leaves the outer one's advice");
        for size in [HUGE_PAGE, HUGE_PAGE + 1, 5 * HUGE_PAGE + 12345] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            let p = unsafe { a.alloc_zeroed(layout) };
            assert!(!p.is_null());
            assert!(slot_of(p).is_some());
            assert_eq!(
                p as usize % HUGE_PAGE,
                0,
                "{size} bytes at a 2 MiB boundary"
            );
            // "hg": the mapping carries MADV_HUGEPAGE (whether the system then gives huge pages is its choice).
            assert!(vm_flags(p).split(' ').any(|f| f == "hg"), "{size} bytes");
            assert!((0..size).step_by(4096).all(|i| unsafe { *p.add(i) } == 0));
            assert_eq!(unsafe { *p.add(size - 1) }, 0);
            unsafe { a.dealloc(p, layout) };
            assert!(slot_of(p).is_none(), "unregistered when freed");
        }
        // A small block is the system allocator's, without the advice.
        let small = Layout::from_size_align(HUGE_PAGE - 1, 8).unwrap();
        let p = unsafe { a.alloc(small) };
        assert!(!vm_flags(p).split(' ').any(|f| f == "hg"));
        unsafe { a.dealloc(p, small) };
        drop(advice);
        assert!(!advised());
    }

    #[test]
    fn reallocation_keeps_the_contents_across_sizes_and_kinds() {
        let a = HugePages;
        enable();
        let _advice = advise();
        // small -> large -> larger (grown in place, or moved) -> a little larger -> shrunk -> small again.
        let sizes = [
            100_000,
            3 * HUGE_PAGE,
            9 * HUGE_PAGE + 7,
            9 * HUGE_PAGE + 100,
            4 * HUGE_PAGE,
            1000,
        ];
        let mut layout = Layout::from_size_align(sizes[0], 16).unwrap();
        let p0 = unsafe { a.alloc(layout) };
        fill(p0, sizes[0], 3);
        let mut p = p0;
        let mut kept = sizes[0];
        for &size in &sizes[1..] {
            let q = unsafe { a.realloc(p, layout, size) };
            assert!(!q.is_null());
            assert_eq!(q as usize % 16, 0);
            assert_eq!(slot_of(q).is_some(), size >= HUGE_PAGE, "{size} bytes");
            if size >= HUGE_PAGE {
                // Grown in place or moved, the block stays at a huge-page boundary, advised.
                assert_eq!(q as usize % HUGE_PAGE, 0, "{size} bytes");
                assert!(vm_flags(q).split(' ').any(|f| f == "hg"), "{size} bytes");
            }
            kept = kept.min(size);
            assert!(filled(q, kept, 3), "{size} bytes keep the first {kept}");
            fill(q, size, 3);
            kept = size;
            layout = Layout::from_size_align(size, 16).unwrap();
            p = q;
        }
        unsafe { a.dealloc(p, layout) };
    }

    #[test]
    fn a_block_that_cannot_grow_in_place_moves_to_a_huge_page_boundary() {
        let a = HugePages;
        enable();
        let _advice = advise();
        let size = 3 * HUGE_PAGE;
        let layout = Layout::from_size_align(size, 8).unwrap();
        let p = unsafe { a.alloc(layout) };
        fill(p, size, 9);
        // A page mapped right after the block leaves no room to grow there.
        let after = unsafe { p.add(mapping_len(size)) };
        let guard = unsafe {
            libc::mmap(
                after as *mut _,
                4096,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE,
                -1,
                0,
            )
        };
        assert_eq!(
            guard as usize, after as usize,
            "the page after the block was free"
        );
        let q = unsafe { a.realloc(p, layout, 5 * HUGE_PAGE) };
        assert_ne!(q, p, "moved");
        assert_eq!(q as usize % HUGE_PAGE, 0);
        assert!(vm_flags(q).split(' ').any(|f| f == "hg"));
        assert!(filled(q, size, 9));
        assert!(
            (size..5 * HUGE_PAGE)
                .step_by(4096)
                .all(|i| unsafe { *q.add(i) } == 0)
        );
        unsafe {
            a.dealloc(q, Layout::from_size_align(5 * HUGE_PAGE, 8).unwrap());
            libc::munmap(guard, 4096);
        }
    }

    #[test]
    fn large_alignments_go_to_the_system() {
        let a = HugePages;
        let layout = Layout::from_size_align(3 * HUGE_PAGE, 4 * HUGE_PAGE).unwrap();
        let p = unsafe { a.alloc(layout) };
        assert_eq!(p as usize % (4 * HUGE_PAGE), 0);
        unsafe { a.dealloc(p, layout) };
    }
}

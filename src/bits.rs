//! Sets of peers (or nodes) as bitsets of `u64` words, a bit an id: the form the crate's large sets take where
//! they are read per message or per peer (a query's seen peers, crowded peers, holders, a component search's
//! marks), because a bit keeps more of them in cache than a flag a byte.

/// Whether `i`'s bit is set.
#[inline(always)]
pub fn has(bits: &[u64], i: usize) -> bool {
    bits[i >> 6] & (1 << (i & 63)) != 0
}

/// Sets `i`'s bit.
#[inline(always)]
pub fn set(bits: &mut [u64], i: usize) {
    bits[i >> 6] |= 1 << (i & 63);
}

/// Sets `i`'s bit; true if it was not set yet.
#[inline(always)]
pub fn set_new(bits: &mut [u64], i: usize) -> bool {
    let (w, b) = (i >> 6, 1u64 << (i & 63));
    let new = bits[w] & b == 0;
    bits[w] |= b;
    new
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_set_once_and_read_back_across_words() {
        let mut bits = vec![0u64; 3];
        for i in [0, 63, 64, 130, 191] {
            assert!(!has(&bits, i));
            assert!(set_new(&mut bits, i), "{i} was new");
            assert!(!set_new(&mut bits, i), "{i} was set");
            assert!(has(&bits, i));
        }
        set(&mut bits, 1);
        // Word 0: 0, 1, 63; word 1: 64; word 2: 130 (bit 2) and 191 (bit 63).
        assert_eq!(bits, vec![1 | 2 | 1 << 63, 1, 1 << 2 | 1 << 63]);
        assert!(!has(&bits, 129));
    }
}

//! The nodes the recorder counted a message for in the current timeseries bucket, so that closing the bucket
//! visits only them.
//!
//! A list of node ids is the cheapest to go through while few nodes are in it, but a flood at 10^7 peers put
//! millions in one bucket (16 MB at the run's peak memory, docs/performance.md "Speed round 2"). So the list is
//! bounded, to a sixteenth of the nodes, and a bucket that touches more nodes than that is closed by visiting
//! every node in order. (Marking the nodes past the list in a bitset instead cost a cache miss per node at 10^7
//! peers, measured: a tenth of the run.) The bucket's figure, the largest count, does not depend on the order
//! nodes are visited in.

/// Nodes touched in the current bucket, each added once.
pub struct Touched {
    list: Vec<u32>,
    /// Whether some node did not fit in `list` (closing the bucket then visits every node).
    overflowed: bool,
}

impl Touched {
    /// For `nodes` nodes: a list of up to a sixteenth of them, and at least 2^16 (256 kB of address space, used
    /// only as far as it fills).
    pub fn new(nodes: usize) -> Touched {
        Touched::with_list((nodes / 16).max(1 << 16))
    }

    pub(super) fn with_list(list: usize) -> Touched {
        Touched {
            list: Vec::with_capacity(list),
            overflowed: false,
        }
    }

    /// `node` has its first count of the bucket.
    #[inline(always)]
    pub fn add(&mut self, node: u32) {
        if self.list.len() < self.list.capacity() {
            self.list.push(node);
        } else {
            self.overflowed = true;
        }
    }

    /// The nodes touched, or `None` when they did not all fit (every node must be visited).
    pub fn nodes(&self) -> Option<&[u32]> {
        (!self.overflowed).then_some(&self.list[..])
    }

    /// Forgets the nodes (a new bucket starts).
    pub fn clear(&mut self) {
        self.list.clear();
        self.overflowed = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_list_asks_for_every_node() {
        let mut t = Touched::with_list(3);
        for n in [5, 1, 9] {
            t.add(n);
        }
        assert_eq!(t.nodes(), Some(&[5, 1, 9][..]));
        t.add(4);
        assert_eq!(t.nodes(), None);
        t.clear();
        t.add(2);
        assert_eq!(t.nodes(), Some(&[2][..]));
    }
}

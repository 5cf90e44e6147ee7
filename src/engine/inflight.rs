//! Under churn, who sent each message in flight and when, so that arrival can tell whether it still arrives. A
//! peer that leaves closes its links: a message in flight to it or from it is lost, even when the peer is back by
//! the time the message lands. A message arrives only if both ends have stayed online since the event that sent
//! it ([`crate::overlay::Overlay::steady_since`]). A queued message has no room for that event number or for its
//! sender (a protocol's `from` is not always the sender), so under churn its `from` field holds an index into this
//! table of tags, and arrival restores it. Nothing is looked up when a message is sent (a lookup of both ends'
//! sessions per send cost a quarter of the run time at 10^6 peers, measured).

/// A message's protocol-defined `from`, its sender (the node whose step sent it) and the event that sent it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag {
    pub from: u32,
    pub sender: u32,
    pub sent_event: u64,
}

/// The tags of the messages in flight, with their indices reused in a fixed order (so runs stay deterministic).
#[derive(Default)]
pub struct InFlight {
    tags: Vec<Tag>,
    free: Vec<u32>,
}

impl InFlight {
    /// Keeps `tag` until its message arrives; returns the index the message carries.
    #[inline]
    pub fn insert(&mut self, tag: Tag) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.tags[i as usize] = tag;
                i
            }
            None => {
                self.tags.push(tag);
                (self.tags.len() - 1) as u32
            }
        }
    }

    /// The tag of the message carrying index `i`, which has arrived (its index is free again).
    #[inline]
    pub fn remove(&mut self, i: u32) -> Tag {
        self.free.push(i);
        self.tags[i as usize]
    }

    /// Hints the processor to fetch tag `i` (its message is a few events ahead; `i` may be any number).
    #[inline]
    pub fn prefetch(&self, i: u32) {
        if let Some(t) = self.tags.get(i as usize) {
            crate::graph::prefetch(t);
        }
    }

    /// Messages in flight.
    pub fn len(&self) -> usize {
        self.tags.len() - self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_back_as_stored_and_indices_are_reused() {
        let mut f = InFlight::default();
        let tag = |n| Tag {
            from: n,
            sender: n + 1,
            sent_event: n as u64 + 2,
        };
        let (a, b) = (f.insert(tag(10)), f.insert(tag(20)));
        assert_eq!(f.len(), 2);
        assert_eq!(f.remove(a), tag(10));
        let c = f.insert(tag(30));
        assert_eq!(c, a, "a freed index is reused");
        assert_eq!(f.remove(b), tag(20));
        assert_eq!(f.remove(c), tag(30));
        assert!(f.is_empty());
    }
}

//! Under churn, what the engine keeps of each message in flight to tell on arrival whether it still arrives. A peer
//! that leaves closes its links: a message in flight to it or from it is lost, even when the peer is back by the
//! time the message lands. A queued message has no room for the sessions ([`crate::overlay::Overlay::session`])
//! of its ends, so under churn its `from` field holds an index into this table, and arrival restores it.

/// A message's protocol-defined `from`, its sender (the node whose step sent it) and the sessions of both ends
/// when it left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag {
    pub from: u32,
    pub sender: u32,
    pub sender_session: u32,
    pub to_session: u32,
}

/// The tags of the messages in flight, with their slots recycled in a fixed order (so runs stay deterministic).
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

    /// The tag of the message carrying index `i`, which has arrived (its slot is free again).
    #[inline]
    pub fn remove(&mut self, i: u32) -> Tag {
        self.free.push(i);
        self.tags[i as usize]
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
    fn tags_come_back_as_stored_and_slots_are_reused() {
        let mut f = InFlight::default();
        let tag = |n| Tag {
            from: n,
            sender: n + 1,
            sender_session: n + 2,
            to_session: n + 3,
        };
        let (a, b) = (f.insert(tag(10)), f.insert(tag(20)));
        assert_eq!(f.len(), 2);
        assert_eq!(f.remove(a), tag(10));
        let c = f.insert(tag(30));
        assert_eq!(c, a, "a freed slot is reused");
        assert_eq!(f.remove(b), tag(20));
        assert_eq!(f.remove(c), tag(30));
        assert!(f.is_empty());
    }
}

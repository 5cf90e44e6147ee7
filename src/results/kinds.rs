//! The message kinds: what the counters count and the trace names. Shared by the protocols (which send them) and
//! the output (which names them), so it sits below both.

/// What a message is, for routing and for the message counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MsgKind {
    /// A Gnutella Query (flooding, expanding ring).
    Query = 0,
    /// A QueryHit travelling back along the reverse path.
    Hit = 1,
    /// A random walker taking a step.
    Walk = 2,
    /// A walker's hit travelling back along its loop-erased path.
    WalkHit = 3,
    /// A walker asking the source whether the query is satisfied.
    Check = 4,
    /// The source's answer: go on.
    CheckGo = 5,
    /// The source's answer: stop.
    CheckStop = 6,
    /// A query sent to the central index.
    Request = 7,
    /// The index's answer: the object is held by an online peer.
    AnswerHit = 8,
    /// The index's answer: nobody online holds it.
    AnswerMiss = 9,
    /// A polluter's fake hit, travelling back as the protocol's hits do (`[adversaries]`).
    FakeHit = 10,
    /// A broadcast's payload (`kind = "broadcast"`): the message itself in modes flood and gossip, the answer to a
    /// getdata in mode announce. Its size is the strategy's `payload_bytes`.
    Payload = 11,
    /// A broadcast's announcement (mode announce; Bitcoin's inv): "I have it".
    Inv = 12,
    /// A request for an announced payload (Bitcoin's getdata).
    GetData = 13,
}

/// Number of [`MsgKind`]s (size of per-kind counter arrays).
pub const MSG_KINDS: usize = 14;

impl MsgKind {
    /// Every kind, in discriminant order.
    pub const ALL: [MsgKind; MSG_KINDS] = [
        MsgKind::Query,
        MsgKind::Hit,
        MsgKind::Walk,
        MsgKind::WalkHit,
        MsgKind::Check,
        MsgKind::CheckGo,
        MsgKind::CheckStop,
        MsgKind::Request,
        MsgKind::AnswerHit,
        MsgKind::AnswerMiss,
        MsgKind::FakeHit,
        MsgKind::Payload,
        MsgKind::Inv,
        MsgKind::GetData,
    ];

    /// The kind whose discriminant is `bits` (the engine's packed events store it in 4 bits). Bits that name no
    /// kind are a packing bug, never a query.
    #[inline]
    pub fn from_bits(bits: u8) -> MsgKind {
        match bits {
            0 => MsgKind::Query,
            1 => MsgKind::Hit,
            2 => MsgKind::Walk,
            3 => MsgKind::WalkHit,
            4 => MsgKind::Check,
            5 => MsgKind::CheckGo,
            6 => MsgKind::CheckStop,
            7 => MsgKind::Request,
            8 => MsgKind::AnswerHit,
            9 => MsgKind::AnswerMiss,
            10 => MsgKind::FakeHit,
            11 => MsgKind::Payload,
            12 => MsgKind::Inv,
            13 => MsgKind::GetData,
            _ => unreachable!("message kind bits {bits} name no kind"),
        }
    }

    /// The kind's name in `gnutsim trace`.
    pub fn name(self) -> &'static str {
        match self {
            MsgKind::Query => "query",
            MsgKind::Hit => "hit",
            MsgKind::Walk => "walker",
            MsgKind::WalkHit => "walk-hit",
            MsgKind::Check => "check",
            MsgKind::CheckGo => "go-on",
            MsgKind::CheckStop => "stop",
            MsgKind::Request => "request",
            MsgKind::AnswerHit => "answer+",
            MsgKind::AnswerMiss => "answer-",
            MsgKind::FakeHit => "fake-hit",
            MsgKind::Payload => "payload",
            MsgKind::Inv => "inv",
            MsgKind::GetData => "getdata",
        }
    }

    /// Counted in `query_messages`: the search itself (queries, walker steps, requests to the index), or what
    /// spreads a broadcast (its payload and announcements).
    pub fn is_query(self) -> bool {
        matches!(
            self,
            MsgKind::Query | MsgKind::Walk | MsgKind::Request | MsgKind::Payload | MsgKind::Inv
        )
    }

    /// Counted in `hit_messages`: answers that carry a hit back towards the source (fake ones included: on the
    /// wire they are hits).
    pub fn is_hit(self) -> bool {
        matches!(
            self,
            MsgKind::Hit | MsgKind::WalkHit | MsgKind::AnswerHit | MsgKind::FakeHit
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_bits_and_has_its_own_name() {
        for (i, k) in MsgKind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i);
            assert_eq!(MsgKind::from_bits(i as u8), *k);
        }
        let mut names: Vec<&str> = MsgKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MSG_KINDS);
    }

    #[test]
    #[should_panic(expected = "name no kind")]
    fn bits_of_no_kind_are_a_bug_not_a_query() {
        MsgKind::from_bits(MSG_KINDS as u8);
    }
}

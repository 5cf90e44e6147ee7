//! Messages: what they carry. Their kinds (`MsgKind`) are part of the results vocabulary, since counters and
//! traces name them.

pub use crate::results::kinds::{MSG_KINDS, MsgKind};

use crate::graph::PeerId;

/// A message in flight. `query` is the engine's query of the query it belongs to; `from` and `hops` mean what the
/// protocol that sent it says (for a flooding query: the previous hop and the hops travelled on arrival).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    pub to: PeerId,
    pub from: PeerId,
    pub query: u32,
    pub hops: u32,
    pub kind: MsgKind,
}

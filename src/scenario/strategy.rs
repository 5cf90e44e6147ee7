//! What the scenario layer knows of a strategy: its name, its kind, its timeout, and an opaque spec that its
//! kind's own file reads, writes back and estimates. The kinds themselves live beside their protocols and reach
//! the scenario layer as a list of [`StrategyDef`]s handed to the loader, so that scenario/ lists no kind itself.

use std::any::Any;
use std::fmt::{self, Debug};

use super::reader::{R, Reader};

/// A strategy kind's keys, as read from its `[[strategy]]` table with every default filled in. Copying and
/// downcasting come with any `Clone` spec (see [`SpecObject`]).
pub trait StrategySpec: SpecObject + Debug + Send + Sync {
    /// The `kind` value that names this strategy kind in scenario files and in runs.csv.
    fn kind(&self) -> &'static str;
    /// Every key of the kind with its value (defaults included), in the order `check` prints them; written back
    /// to the resolved scenario and used to compare specs.
    fn keys(&self) -> Vec<(&'static str, KeyValue)>;
    /// At most how many messages one query sends, on an overlay of mean degree `mean_degree` with `edges` links
    /// (for `check`'s work estimate).
    fn messages_per_query(&self, mean_degree: f64, edges: f64) -> f64;
    /// Whether the strategy searches for an object (false: a broadcast, which spreads a payload and needs none).
    fn searches(&self) -> bool {
        true
    }
    /// Bytes of the strategy's payload message ([`crate::results::kinds::MsgKind::Payload`]); 0 where it sends none.
    fn payload_bytes(&self) -> u64 {
        0
    }
}

/// What a boxed spec needs of its concrete type, given to every `Clone` spec by the blanket impl below.
pub trait SpecObject: Any {
    /// A boxed copy (scenarios are cloned per sweep point).
    fn clone_box(&self) -> Box<dyn StrategySpec>;
    /// For the registry, which turns the spec back into its own type to build the protocol.
    fn as_any(&self) -> &dyn Any;
}

impl<T: StrategySpec + Clone> SpecObject for T {
    fn clone_box(&self) -> Box<dyn StrategySpec> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A key's value as the resolved scenario writes it.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyValue {
    Int(i64),
    Float(f64),
    Str(&'static str),
    Ints(Vec<i64>),
}

/// One strategy kind as the loader sees it: its name and the reader of its keys.
#[derive(Clone, Copy)]
pub struct StrategyDef {
    pub kind: &'static str,
    /// Reads the kind's own keys from its `[[strategy]]` table (`name`, `kind` and `timeout` are read already);
    /// unknown keys are reported by the caller.
    pub read: fn(&mut Reader) -> R<Box<dyn StrategySpec>>,
}

impl Debug for StrategyDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StrategyDef({})", self.kind)
    }
}

/// One `[[strategy]]` of a scenario.
#[derive(Debug)]
pub struct Strategy {
    pub name: String,
    pub spec: Box<dyn StrategySpec>,
    /// Seconds after which a first hit no longer counts as success; `None` = no limit.
    pub timeout: Option<f64>,
}

impl Strategy {
    /// The strategy's kind, e.g. `"flooding"`.
    pub fn kind(&self) -> &'static str {
        self.spec.kind()
    }

    /// The spec as its own type, when it is one.
    pub fn spec<T: StrategySpec>(&self) -> Option<&T> {
        self.spec.as_any().downcast_ref::<T>()
    }
}

impl Clone for Strategy {
    fn clone(&self) -> Self {
        Strategy {
            name: self.name.clone(),
            spec: self.spec.clone_box(),
            timeout: self.timeout,
        }
    }
}

impl PartialEq for Strategy {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.timeout == other.timeout
            && self.kind() == other.kind()
            && self.spec.keys() == other.spec.keys()
    }
}

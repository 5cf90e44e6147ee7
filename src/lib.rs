//! gnutsim: a discrete-event simulator of Gnutella-style unstructured peer-to-peer overlays.
//!
//! Data flows one way: scenario -> world -> engine -> metrics -> output.

pub mod adversaries;
pub mod bits;
pub mod churn;
pub mod cli;
pub mod content;
pub mod dist;
pub mod engine;
pub mod error;
pub mod estimate;
pub mod format;
pub mod graph;
pub mod huge_pages;
pub mod metrics;
pub mod output;
pub mod overlay;
pub mod protocols;
pub mod results;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod strategies;
pub mod topology;
pub mod trace_page;
pub mod validate;
pub mod workload;
pub mod world;

/// The unit tests run on the binary's allocator.
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: huge_pages::HugePages = huge_pages::HugePages;

/// The gnutsim version, written into every resolved scenario.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

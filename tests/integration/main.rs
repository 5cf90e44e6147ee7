//! All integration tests in one binary (one link step, one process).

mod capacity;
mod cli;
mod common;
mod flooding;
mod workload;

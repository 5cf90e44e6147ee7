//! All integration tests in one binary (one link step, one process).

mod capacity;
mod churn;
mod cli;
mod client_server;
mod common;
mod flooding;
mod golden;
mod scenarios;
mod strategies;
mod sweep;
mod topologies;
mod workload;

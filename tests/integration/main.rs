//! All integration tests in one binary (one link step, one process).

mod adversaries;
mod bad_input;
mod capacity;
mod churn;
mod cli;
mod client_server;
mod command_line;
mod common;
mod expected_queries;
mod flooding;
mod fuzz;
mod golden;
mod golden_runs;
mod interrupt;
mod powerlaw;
mod properties;
mod report_output;
mod scenarios;
mod strategies;
mod sweep;
mod topologies;
mod trace_page;
mod tutorial;
mod validate;
mod walls;
mod workload;

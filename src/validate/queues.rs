//! Queues: the central index as M/M/1, M/M/c and M/M/1/K, and a busy peer as M/D/1.

use super::Check;

pub const CHECKS: &[Check] = &[];

//! Random walks: steps to a hit and success within a budget.

use super::Check;

pub const CHECKS: &[Check] = &[];

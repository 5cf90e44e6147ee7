//! Graphs and load: the giant component, power-law fits, Gini.

use super::Check;

pub const CHECKS: &[Check] = &[];

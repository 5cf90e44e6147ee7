//! Churn: availability and the session samplers' means.

use super::Check;

pub const CHECKS: &[Check] = &[];

//! Flooding: the full-flood identities and TTL coverage.

use super::Check;

pub const CHECKS: &[Check] = &[];

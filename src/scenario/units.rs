//! The unit of each scenario key, by its dotted path, so a plot against a swept key can label its axis
//! `churn.session.mean (s)`. SPEC.md fixes them: every time is in seconds, rates are per second.

/// Keys (or key endings) that hold a time in seconds; a distribution's location/scale parameters count too.
const SECONDS: &[&str] = &[
    "duration",
    "warmup",
    "output.bucket",
    "workload.issue_tick",
    "network.latency_tick",
];

/// Parts of a distribution (`{ dist = ... }`) that carry the distribution's own unit; `shape` and `sigma`
/// have none.
const DIST_SCALE: &[&str] = &["value", "min", "max", "mean", "scale", "median"];

/// Distributions whose unit is seconds (`session.mean`), and those in another unit.
const TIME_DISTS: &[&str] = &["network.latency", "churn.session", "churn.downtime"];
const OTHER_DISTS: &[(&str, &str)] = &[
    ("network.capacity", "messages/s"),
    ("network.upload", "bit/s"),
];

/// Strategy keys (`strategy.<name>.<key>`) with a unit.
const STRATEGY_KEYS: &[(&str, &str)] = &[
    ("ring_wait", "s"),
    ("timeout", "s"),
    ("service_rate", "queries/s"),
    ("payload_bytes", "bytes"),
];

/// The unit of the value at `key` (`"s"`, `"queries/s"`, ...), or `None` for a count, a share or a label.
pub fn unit_of(key: &str) -> Option<&'static str> {
    if SECONDS.contains(&key) {
        return Some("s");
    }
    if key == "workload.query_rate" {
        return Some("queries/s per peer");
    }
    if matches!(
        key,
        "adversaries.free_riders" | "adversaries.droppers" | "adversaries.polluters"
    ) {
        return Some("share of peers");
    }
    if let Some((dist, part)) = key.rsplit_once('.')
        && DIST_SCALE.contains(&part)
    {
        if TIME_DISTS.contains(&dist) {
            return Some("s");
        }
        if let Some((_, unit)) = OTHER_DISTS.iter().find(|(d, _)| *d == dist) {
            return Some(unit);
        }
    }
    if let Some(rest) = key.strip_prefix("strategy.")
        && let Some((_, last)) = rest.rsplit_once('.')
    {
        return STRATEGY_KEYS
            .iter()
            .find(|(k, _)| *k == last)
            .map(|(_, u)| *u);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_keys_are_in_seconds() {
        assert_eq!(unit_of("churn.session.mean"), Some("s"));
        assert_eq!(unit_of("churn.session.shape"), None);
        assert_eq!(unit_of("duration"), Some("s"));
        assert_eq!(unit_of("strategy.ring.ring_wait"), Some("s"));
        assert_eq!(unit_of("strategy.flood.ttl"), None);
        assert_eq!(unit_of("network.capacity.value"), Some("messages/s"));
        assert_eq!(unit_of("topology.mean_degree"), None);
        assert_eq!(unit_of("network.peers"), None);
        assert_eq!(unit_of("adversaries.droppers"), Some("share of peers"));
    }
}

//! The `[adversaries]` table: shares of free riders, droppers and polluters, and where they sit.

use super::super::reader::{R, Reader};
use super::super::*;

/// Reads `[adversaries]` for an overlay of `peers` peers whose content puts `replicas_mean` copies on each object.
pub(super) fn adversaries(
    mut t: Reader,
    peers: u32,
    topology: &Topology,
    replicas_mean: f64,
) -> R<Adversaries> {
    let share = |t: &mut Reader, key: &'static str| {
        t.f64_in(
            key,
            |x| (0.0..=1.0).contains(&x),
            "a share of the peers, from 0 to 1",
        )
        .map(|x| x.unwrap_or(0.0))
    };
    let free_riders = share(&mut t, "free_riders")?;
    let droppers = share(&mut t, "droppers")?;
    let polluters = share(&mut t, "polluters")?;
    let total = free_riders + droppers + polluters;
    if total > 1.0 + 1e-9 {
        let last = if polluters > 0.0 {
            "polluters"
        } else {
            "droppers"
        };
        return Err(t.error(
            last,
            format!(
                "free_riders + droppers + polluters = {total} is more than 1: the roles are disjoint shares \
                 of the peers"
            ),
        ));
    }
    let ultrapeers = topology.kind.ultrapeers(peers);
    let placement = match t.opt_str("placement")? {
        None | Some("uniform") => AdversaryPlacement::Uniform,
        Some(tier @ ("ultrapeers" | "leaves")) => {
            if ultrapeers.is_none() {
                return Err(t.error(
                    "placement",
                    format!(
                        "\"{tier}\" needs a two-tier overlay (topology.kind = \"two-tier\"); this one has no tiers"
                    ),
                ));
            }
            if tier == "ultrapeers" {
                AdversaryPlacement::Ultrapeers
            } else {
                AdversaryPlacement::Leaves
            }
        }
        Some(other) => {
            return Err(t.error(
                "placement",
                format!("unknown placement \"{other}\" (allowed: uniform, ultrapeers, leaves)"),
            ));
        }
    };
    let spec = Adversaries {
        free_riders,
        droppers,
        polluters,
        placement,
    };
    // Copies go to the peers that are not free riders: there must be enough of them for the copies asked for.
    let holders = spec.copy_holders(peers, ultrapeers.unwrap_or(0));
    if (holders as f64) < replicas_mean.max(1.0) {
        return Err(t.error(
            "free_riders",
            format!(
                "leaves {holders} peers to hold copies, fewer than content.replicas_mean = {replicas_mean}"
            ),
        ));
    }
    t.finish()?;
    Ok(spec)
}

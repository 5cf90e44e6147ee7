//! The `[topology]` table: which overlay, and its parameters checked against the peer count.

use std::path::Path;

use super::super::reader::{R, Reader};
use super::super::*;

pub(super) fn topology(mut t: Reader, peers: u32, base_dir: &Path) -> R<Topology> {
    let kind_name = t.opt_str("kind")?;
    let kind_name = t.required("kind", kind_name)?;
    let label = t.opt_str("label")?.map(str::to_string);
    let n = peers as f64;
    let max_deg = peers as i64 - 1;
    let mut edge_list = None;
    let kind = match kind_name {
        "random" => {
            let c = t.f64_in(
                "mean_degree",
                |c| c > 0.0 && c <= n - 1.0,
                &format!("positive and at most peers - 1 = {max_deg}"),
            )?;
            TopologyKind::Random {
                mean_degree: t.required("mean_degree", c)?,
            }
        }
        "regular" => {
            let d = t.int_in(
                "degree",
                1,
                max_deg,
                &format!("from 1 to peers - 1 = {max_deg}"),
            )?;
            let d = t.required("degree", d)?;
            if (d * peers as i64) % 2 == 1 {
                return Err(t.error(
                    "degree",
                    format!(
                        "degree x peers must be even for a regular graph ({d} x {peers} is odd)"
                    ),
                ));
            }
            TopologyKind::Regular { degree: d as u32 }
        }
        "power-law" => {
            let exponent = t.f64_in(
                "exponent",
                |a| a > 1.0 && a <= 10.0,
                "above 1 and at most 10",
            )?;
            let exponent = t.required("exponent", exponent)?;
            let min = t.int_in(
                "min_degree",
                1,
                max_deg,
                &format!("from 1 to peers - 1 = {max_deg}"),
            )?;
            let max = t.int_in(
                "max_degree",
                1,
                max_deg,
                &format!("from 1 to peers - 1 = {max_deg}"),
            )?;
            let mean = t.f64_in(
                "mean_degree",
                |c| c >= 1.0 && c <= n - 1.0,
                &format!("at least 1 and at most peers - 1 = {max_deg}"),
            )?;
            let (min, max) = (min.map(|x| x as u32), max.map(|x| x as u32));
            if let (Some(lo), Some(hi)) = (min, max) {
                if hi < lo {
                    return Err(
                        t.error("max_degree", format!("must be at least min_degree = {lo}"))
                    );
                }
                if lo == hi && (lo as u64 * peers as u64) % 2 == 1 {
                    return Err(t.error(
                        "max_degree",
                        format!(
                            "min_degree = max_degree = {lo} on {peers} peers: peers x degree must be even \
                             (an odd number of stubs cannot be paired)"
                        ),
                    ));
                }
            }
            let degrees = match mean {
                Some(mean_degree) => {
                    // The degree range is solved so that the truncated power law has this mean.
                    let solved = crate::dist::powerlaw::solve_for_mean(
                        peers,
                        exponent,
                        mean_degree,
                        min,
                        max,
                    )
                    .map_err(|m| t.error("mean_degree", m))?;
                    PowerLawDegrees::Mean {
                        mean_degree,
                        min_degree: solved.min_degree,
                        max_degree: solved.max_degree,
                        min_given: min.is_some(),
                        max_given: max.is_some(),
                    }
                }
                None => {
                    let min_degree = min.unwrap_or(2.min(max_deg as u32));
                    let max_degree = max.unwrap_or(max_deg as u32);
                    if max_degree < min_degree {
                        return Err(t.error(
                            "max_degree",
                            format!("must be at least min_degree = {min_degree}"),
                        ));
                    }
                    PowerLawDegrees::Range {
                        min_degree,
                        max_degree,
                    }
                }
            };
            TopologyKind::PowerLaw { exponent, degrees }
        }
        "barabasi-albert" => {
            let m = t.int_in("m", 1, max_deg, &format!("from 1 to peers - 1 = {max_deg}"))?;
            TopologyKind::BarabasiAlbert {
                m: t.required("m", m)? as u32,
            }
        }
        "small-world" => {
            let d = t.int_in(
                "degree",
                2,
                max_deg,
                &format!("from 2 to peers - 1 = {max_deg}"),
            )?;
            let d = t.required("degree", d)?;
            if d % 2 == 1 {
                return Err(t.error(
                    "degree",
                    format!("must be even (a ring lattice links k/2 peers on each side), got {d}"),
                ));
            }
            let rewire = t.f64_in(
                "rewire",
                |p| (0.0..=1.0).contains(&p),
                "a probability in [0, 1]",
            )?;
            TopologyKind::SmallWorld {
                degree: d as u32,
                rewire: t.required("rewire", rewire)?,
            }
        }
        "two-tier" => {
            let share = t.f64_in(
                "ultrapeer_share",
                |p| p > 0.0 && p < 1.0,
                "a share strictly between 0 and 1",
            )?;
            let share = t.required("ultrapeer_share", share)?;
            let ultrapeers = ((n * share).round() as i64).max(1);
            let up_degree = t.int_in(
                "ultrapeer_degree",
                1,
                (ultrapeers - 1).max(1),
                &format!(
                    "from 1 to the number of ultrapeers - 1 = {}",
                    ultrapeers - 1
                ),
            )?;
            let up_degree = t.required("ultrapeer_degree", up_degree)?;
            if ultrapeers < 2 {
                return Err(t.error(
                    "ultrapeer_share",
                    format!(
                        "gives {ultrapeers} ultrapeer(s) of {peers} peers: at least 2 are needed"
                    ),
                ));
            }
            let leaf_links = t.int_in(
                "leaf_links",
                1,
                ultrapeers,
                &format!("from 1 to the number of ultrapeers = {ultrapeers}"),
            )?;
            TopologyKind::TwoTier {
                ultrapeer_share: share,
                ultrapeer_degree: up_degree as u32,
                leaf_links: t.required("leaf_links", leaf_links)? as u32,
            }
        }
        "edgelist" => {
            let path = t.opt_str("path")?;
            let path = t.required("path", path)?;
            let full = base_dir.join(path);
            if !full.is_file() {
                return Err(t.error(
                    "path",
                    format!(
                        "no edge-list file at {} (paths are relative to the scenario file)",
                        full.display()
                    ),
                ));
            }
            // Read it now, once: `check` reports a bad line of the file, and the world is built from what was read.
            edge_list = Some(Arc::new(files::read_edge_list(&full, peers)?));
            TopologyKind::EdgeList { path: full }
        }
        other => {
            return Err(t.error(
                "kind",
                format!(
                    "unknown topology kind \"{other}\" (allowed: random, regular, power-law, \
                     barabasi-albert, small-world, two-tier, edgelist)"
                ),
            ));
        }
    };
    if let Some((key, ends)) = link_ends(&kind, n, edge_list.as_deref())
        && ends > MAX_LINK_ENDS
    {
        return Err(t.error(
            key,
            format!(
                "the overlay would have about {ends:.3e} link ends (twice its links), more than the {:.3e} \
                 gnutsim can store (4-byte offsets): fewer peers or a lower degree",
                MAX_LINK_ENDS
            ),
        ));
    }
    t.finish()?;
    Ok(Topology {
        kind,
        label,
        edge_list,
    })
}

/// The most link ends an overlay may have (the graph's offsets are 4 bytes), less 1% for a power law's draw,
/// whose link ends vary around their expectation (by far less than 1% at the sizes where this matters).
const MAX_LINK_ENDS: f64 = u32::MAX as f64 * 0.99;

/// The link ends (twice the links) an overlay of `n` peers will have, exactly or (power law) expected, with the
/// key that sets them.
fn link_ends(
    kind: &TopologyKind,
    n: f64,
    edge_list: Option<&files::EdgeList>,
) -> Option<(&'static str, f64)> {
    Some(match kind {
        TopologyKind::Random { mean_degree } => {
            ("mean_degree", 2.0 * (n * mean_degree / 2.0).round())
        }
        TopologyKind::Regular { degree } => ("degree", n * *degree as f64),
        TopologyKind::PowerLaw { exponent, degrees } => {
            let (lo, hi) = degrees.range();
            let key = match degrees {
                PowerLawDegrees::Mean { .. } => "mean_degree",
                PowerLawDegrees::Range { .. } => "max_degree",
            };
            (
                key,
                n * crate::dist::powerlaw::truncated_mean(*exponent, lo, hi),
            )
        }
        TopologyKind::BarabasiAlbert { m } => ("m", 2.0 * n * *m as f64),
        TopologyKind::SmallWorld { degree, .. } => ("degree", n * *degree as f64),
        TopologyKind::TwoTier {
            ultrapeer_share,
            ultrapeer_degree,
            leaf_links,
        } => {
            let ultrapeers = (n * ultrapeer_share).round();
            (
                "leaf_links",
                ultrapeers * *ultrapeer_degree as f64 + 2.0 * (n - ultrapeers) * *leaf_links as f64,
            )
        }
        TopologyKind::EdgeList { .. } => ("path", 2.0 * edge_list?.edges.len() as f64),
    })
}

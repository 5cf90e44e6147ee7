//! The `[churn]` table: sessions and downtimes, or a churn trace, and how the overlay repairs itself.

use std::path::Path;

use super::super::reader::{R, Reader, describe};
use super::super::tree::Value;
use super::super::*;

pub(super) fn churn(mut t: Reader, peers: u32, base_dir: &Path) -> R<Churn> {
    // A [churn] table without `enabled` means churn is wanted.
    let enabled = t.opt_bool("enabled")?.unwrap_or(true);
    let defaults = Churn::disabled();
    let trace = t.opt_str("trace")?;
    let session = t.opt_dist("session", true)?;
    let downtime = t.opt_dist("downtime", true)?;
    let initial_online = match t.node("initial_online") {
        None => InitialOnline::Stationary,
        Some(n) => match &n.value {
            Value::String(s) if s == "stationary" => InitialOnline::Stationary,
            Value::Float(x) if (0.0..=1.0).contains(x) => InitialOnline::Fraction(*x),
            Value::Integer(i) if *i == 0 || *i == 1 => InitialOnline::Fraction(*i as f64),
            v => {
                return Err(t.error(
                    "initial_online",
                    format!(
                        "must be a fraction in [0, 1] or \"stationary\", got {}",
                        describe(v)
                    ),
                ));
            }
        },
    };
    let target_degree = t.int_in(
        "target_degree",
        1,
        peers as i64 - 1,
        &format!("from 1 to peers - 1 = {}", peers - 1),
    )?;
    let target_degree = target_degree.map_or(defaults.target_degree, |d| d as u32);
    let min_degree = t.int_in(
        "min_degree",
        0,
        target_degree as i64,
        &format!("from 0 to target_degree = {target_degree}"),
    )?;
    let min_degree = min_degree.map_or(defaults.min_degree.min(target_degree), |d| d as u32);
    let repair = t.opt_bool("repair")?.unwrap_or(defaults.repair);
    let mut trace_data = None;
    let trace = match trace {
        None => None,
        Some(p) => {
            let full = base_dir.join(p);
            if !full.is_file() {
                return Err(t.error(
                    "trace",
                    format!(
                        "no churn trace at {} (paths are relative to the scenario file)",
                        full.display()
                    ),
                ));
            }
            // Read it now, once: `check` reports a bad line of the file, and the world is built from what was read.
            trace_data = Some(Arc::new(files::read_churn_trace(&full, peers)?));
            Some(full)
        }
    };
    if enabled && trace.is_none() {
        for (key, d) in [("session", &session), ("downtime", &downtime)] {
            if d.is_none() {
                return Err(t.error(
                    key,
                    "missing: churn needs session and downtime distributions (or a trace)",
                ));
            }
        }
    }
    if trace.is_some() && (session.is_some() || downtime.is_some()) {
        return Err(t.error(
            "trace",
            "a churn trace replaces session and downtime: give one or the other",
        ));
    }
    let session = session.unwrap_or(defaults.session);
    let downtime = downtime.unwrap_or(defaults.downtime);
    if enabled && trace.is_none() && initial_online == InitialOnline::Stationary {
        for (key, d) in [("session", &session), ("downtime", &downtime)] {
            if !d.mean().is_finite() {
                return Err(t.error(
                    key,
                    "has an infinite mean (pareto shape <= 1), so there is no stationary state: \
                     use a pareto shape above 1 or set initial_online to a fraction",
                ));
            }
        }
    }
    t.finish()?;
    Ok(Churn {
        enabled,
        session,
        downtime,
        initial_online,
        target_degree,
        min_degree,
        repair,
        trace,
        trace_data,
    })
}

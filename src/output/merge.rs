//! `gnutsim merge`: combines the results folders of the shards of one run into one folder, as if it had run
//! whole. Rows are put back in run order ((point, replication), then the order within each shard's run), and
//! summary.csv is recomputed from the merged runs.csv, so the result is byte-identical to an unsharded run.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::manifest::{Manifest, sha256_hex};
use super::tables::{Table, summary_table};
use crate::error::{Error, Result};
use crate::scenario::sweep::Plan;

/// A folder's files: (name, bytes).
pub type Files = Vec<(String, Vec<u8>)>;

/// The per-run CSV files a folder may have; runs.csv first.
const FILES: &[&str] = &[
    "runs.csv",
    "timeseries.csv",
    "lorenz.csv",
    "timing.csv",
    "content.csv",
    "queries.csv",
    "coverage.csv",
];

/// Written only when a run has rows for it: a shard without such runs has none.
const ONLY_WITH_ROWS: &str = "coverage.csv";

/// Reads a CSV file into a table.
pub fn read_table(path: &Path) -> anyhow::Result<Table> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("cannot read the header of {}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: bad row {}", path.display(), i + 2))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(Table { header, rows })
}

/// The merged files, as (name, bytes), ready to be written as a folder, and the merged runs.csv they hold.
pub fn merge(dirs: &[PathBuf]) -> anyhow::Result<(Files, Table)> {
    let Some(first) = dirs.first() else {
        bail!("give at least one results folder to merge");
    };
    let scenario = std::fs::read(first.join("scenario.toml")).with_context(|| {
        format!(
            "{} is not a results folder (no scenario.toml)",
            first.display()
        )
    })?;
    for d in &dirs[1..] {
        let other = std::fs::read(d.join("scenario.toml")).with_context(|| {
            format!("{} is not a results folder (no scenario.toml)", d.display())
        })?;
        if other != scenario {
            bail!(
                "{} and {} come from different scenarios (their scenario.toml differ)",
                first.display(),
                d.display()
            );
        }
    }
    let mut out = Vec::new();
    let mut merged_runs = None;
    for name in FILES {
        let present: Vec<bool> = dirs.iter().map(|d| d.join(name).is_file()).collect();
        if present.iter().all(|p| !p) && (*name == "queries.csv" || *name == ONLY_WITH_ROWS) {
            continue;
        }
        if let Some(i) = present.iter().position(|p| !p)
            && *name != ONLY_WITH_ROWS
        {
            bail!("{} has no {name}", dirs[i].display());
        }
        let mut merged: Option<Table> = None;
        for (d, _) in dirs.iter().zip(&present).filter(|(_, p)| **p) {
            let t = read_table(&d.join(name))?;
            match &mut merged {
                None => merged = Some(t),
                Some(m) => {
                    if m.header != t.header {
                        bail!(
                            "{}: its columns differ from {}",
                            d.join(name).display(),
                            first.join(name).display()
                        );
                    }
                    m.rows.extend(t.rows);
                }
            }
        }
        let mut table = merged.unwrap_or_default();
        sort_by_run(&mut table, name)?;
        if *name == "runs.csv" {
            check_disjoint(&table)?;
            merged_runs = Some(table.clone());
        }
        out.push((name.to_string(), table.to_csv()));
    }
    let runs = merged_runs.unwrap_or_default();
    out.push(("summary.csv".to_string(), summary_table(&runs).to_csv()));
    out.push(("scenario.toml".to_string(), scenario));
    // The traced queries of the report (traces/): the shard that ran point 0, replication 0 has them.
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(d.join(super::trace_report::TRACES)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let file = format!("{}/{name}", super::trace_report::TRACES);
            if !out.iter().any(|(n, _)| *n == file) {
                out.push((file.clone(), std::fs::read(d.join(&file))?));
            }
        }
    }
    Ok((out, runs))
}

/// Stable sort by (point, replication): each run's rows stay together and in their order.
fn sort_by_run(t: &mut Table, name: &str) -> anyhow::Result<()> {
    let (Some(p), Some(r)) = (t.column("point"), t.column("replication")) else {
        bail!("{name} has no point or replication column");
    };
    let key = |row: &Vec<String>| -> (u64, u64) {
        (
            row[p].parse().unwrap_or(u64::MAX),
            row[r].parse().unwrap_or(u64::MAX),
        )
    };
    t.rows.sort_by_key(key);
    Ok(())
}

/// Shards must not overlap: every (point, replication, strategy) once.
fn check_disjoint(runs: &Table) -> anyhow::Result<()> {
    let (Some(p), Some(r), Some(s)) = (
        runs.column("point"),
        runs.column("replication"),
        runs.column("strategy"),
    ) else {
        bail!("runs.csv has no point, replication or strategy column");
    };
    let mut seen = std::collections::BTreeSet::new();
    for row in &runs.rows {
        if !seen.insert((row[p].clone(), row[r].clone(), row[s].clone())) {
            bail!(
                "point {} replication {} strategy {} appears in two folders: the shards overlap",
                row[p],
                row[r],
                row[s]
            );
        }
    }
    Ok(())
}

/// Checks that the folders are shards of one run (the same resolved scenario: by their manifest's hash, or their
/// scenario.toml's for a folder without a manifest); returns their manifests.
pub fn same_run(dirs: &[PathBuf]) -> Result<Vec<Option<Manifest>>> {
    let mut manifests = Vec::new();
    let mut first: Option<(&PathBuf, String)> = None;
    for d in dirs {
        let m = Manifest::read(d)?;
        let hash = match &m {
            Some(m) => Some(m.scenario_sha256.clone()),
            None => std::fs::read(d.join("scenario.toml"))
                .ok()
                .map(|b| sha256_hex(&b)),
        };
        match (&first, hash) {
            (Some((d0, h0)), Some(h)) if &h != h0 => {
                return Err(Error::Usage(format!(
                    "{} and {} are shards of different runs (scenario_sha256 {h0} and {h}): merge only the \
                     shards of one run",
                    d0.display(),
                    d.display()
                )));
            }
            (None, Some(h)) => first = Some((d, h)),
            _ => {}
        }
        manifests.push(m);
    }
    Ok(manifests)
}

/// The (point, replication) pairs of the plan that the merged runs.csv does not hold, in run order.
pub fn missing_pairs(plan: &Plan, runs: &Table) -> Result<Vec<(u64, u64)>> {
    let mut present = std::collections::BTreeSet::new();
    let (Some(p), Some(r)) = (runs.column("point"), runs.column("replication")) else {
        return Err(Error::Usage(
            "runs.csv has no point or replication column".to_string(),
        ));
    };
    for row in &runs.rows {
        if let (Ok(p), Ok(r)) = (row[p].parse::<u64>(), row[r].parse::<u64>()) {
            present.insert((p, r));
        }
    }
    Ok(plan
        .points
        .iter()
        .flat_map(|p| (0..p.scenario.replications).map(move |r| (p.index as u64, r as u64)))
        .filter(|pair| !present.contains(pair))
        .collect())
}

/// Refuses a merge that misses (point, replication) pairs, naming them (the first 20).
pub fn refuse_missing(missing: &[(u64, u64)]) -> Result<()> {
    if missing.is_empty() {
        return Ok(());
    }
    const SHOWN: usize = 20;
    let mut list: Vec<String> = missing
        .iter()
        .take(SHOWN)
        .map(|(p, r)| format!("(point {p}, replication {r})"))
        .collect();
    if missing.len() > SHOWN {
        list.push(format!("and {} more", missing.len() - SHOWN));
    }
    Err(Error::Usage(format!(
        "these shards are not the whole run: {} (point, replication) pairs are missing: {}; give the missing \
         shards, or --partial to merge what is there",
        missing.len(),
        list.join(", ")
    )))
}

//! `gnutsim merge`: combines the results folders of the shards of one run into one folder, as if it had run
//! whole. Rows are put back in run order ((point, replication), then the order within each shard's run), and
//! summary.csv is recomputed from the merged runs.csv, so the result is byte-identical to an unsharded run.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::tables::{Table, summary_table};

/// The per-run CSV files a folder may have; runs.csv first.
const FILES: &[&str] = &[
    "runs.csv",
    "timeseries.csv",
    "lorenz.csv",
    "timing.csv",
    "content.csv",
    "queries.csv",
];

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

/// The merged files, as (name, bytes), ready to be written as a folder.
pub fn merge(dirs: &[PathBuf]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
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
        if present.iter().all(|p| !p) && *name == "queries.csv" {
            continue;
        }
        if let Some(i) = present.iter().position(|p| !p) {
            bail!("{} has no {name}", dirs[i].display());
        }
        let mut merged: Option<Table> = None;
        for d in dirs {
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
    if let Some(runs) = merged_runs {
        out.push(("summary.csv".to_string(), summary_table(&runs).to_csv()));
    }
    out.push(("scenario.toml".to_string(), scenario));
    Ok(out)
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

//! Reads a results folder's CSV files back, so plots and the report depend on the files alone (never on engine
//! state) and `gnutsim plot DIR` can redraw them. Every error names the file, and the line and column when a
//! cell is at fault; an empty cell is an undefined value, not an error.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use anyhow::{Context, bail};

/// A CSV file of a results folder, opened with its header read.
pub struct CsvFile {
    name: String,
    headers: Vec<String>,
    reader: csv::Reader<File>,
}

/// One data row, with the file name and line for error messages.
pub struct Row<'a> {
    file: &'a str,
    line: u64,
    headers: &'a [String],
    record: &'a csv::StringRecord,
}

impl CsvFile {
    /// Opens `dir/name`; a missing file is an error naming it.
    pub fn open(dir: &Path, name: &str) -> anyhow::Result<Self> {
        let path = dir.join(name);
        if !path.is_file() {
            bail!("missing required file {} in {}", name, dir.display());
        }
        let file = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(file);
        let headers = reader
            .headers()
            .with_context(|| format!("cannot read the header of {}", path.display()))?
            .iter()
            .map(str::to_string)
            .collect();
        Ok(Self {
            name: name.to_string(),
            headers,
            reader,
        })
    }

    /// Opens `dir/name` if it exists.
    pub fn open_optional(dir: &Path, name: &str) -> anyhow::Result<Option<Self>> {
        if dir.join(name).is_file() {
            Self::open(dir, name).map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Index of a column that must be there.
    pub fn col(&self, name: &str) -> anyhow::Result<usize> {
        column(&self.name, &self.headers, name)
    }

    /// Names of the columns strictly between `first` and `last` (the swept keys of runs.csv and summary.csv).
    pub fn between(&self, first: &str, last: &str) -> anyhow::Result<Vec<String>> {
        let a = self.col(first)?;
        let b = self.col(last)?;
        if b <= a {
            bail!(
                "{}: column `{last}` comes before column `{first}`",
                self.name
            );
        }
        Ok(self.headers[a + 1..b].to_vec())
    }

    /// Calls `f` on every data row, in file order.
    pub fn for_each(mut self, mut f: impl FnMut(&Row) -> anyhow::Result<()>) -> anyhow::Result<()> {
        let mut record = csv::StringRecord::new();
        loop {
            let more = self
                .reader
                .read_record(&mut record)
                .with_context(|| format!("cannot read {}", self.name))?;
            if !more {
                return Ok(());
            }
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let row = Row {
                file: &self.name,
                line,
                headers: &self.headers,
                record: &record,
            };
            f(&row)?;
        }
    }
}

fn column(file: &str, headers: &[String], name: &str) -> anyhow::Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .with_context(|| format!("{file} has no column `{name}`"))
}

impl Row<'_> {
    /// The raw text of column `col`.
    pub fn text(&self, col: usize) -> &str {
        self.record.get(col).unwrap_or("").trim()
    }

    /// A number; `None` when the cell is empty or not finite (undefined), an error when it is not a number.
    pub fn num(&self, col: usize) -> anyhow::Result<Option<f64>> {
        let s = self.text(col);
        if s.is_empty() {
            return Ok(None);
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            Ok(_) => Ok(None),
            Err(_) => bail!(
                "{} line {}, column `{}`: `{}` is not a number",
                self.file,
                self.line,
                self.headers.get(col).map(String::as_str).unwrap_or("?"),
                s
            ),
        }
    }

    /// A number that must be present.
    pub fn req(&self, col: usize) -> anyhow::Result<f64> {
        self.num(col)?.with_context(|| {
            format!(
                "{} line {}, column `{}` is empty",
                self.file,
                self.line,
                self.headers.get(col).map(String::as_str).unwrap_or("?")
            )
        })
    }

    /// A non-negative integer that must be present (point, replication).
    pub fn index(&self, col: usize) -> anyhow::Result<u64> {
        let s = self.text(col);
        s.parse::<u64>().with_context(|| {
            format!(
                "{} line {}, column `{}`: `{}` is not a non-negative integer",
                self.file,
                self.line,
                self.headers.get(col).map(String::as_str).unwrap_or("?"),
                s
            )
        })
    }
}

/// A mean with the half-width of its 95% confidence interval; either may be undefined.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MeanCi {
    pub mean: Option<f64>,
    pub ci95: Option<f64>,
}

/// One row of summary.csv.
#[derive(Clone, Debug)]
pub struct SummaryRow {
    pub point: u64,
    /// Values of the swept keys, in the order of [`Summary::keys`].
    pub keys: Vec<String>,
    pub strategy: String,
    pub replications: Option<f64>,
    /// Every `<metric>_mean` / `<metric>_ci95` pair, by metric name.
    pub metrics: HashMap<String, MeanCi>,
}

/// summary.csv: one row per point x strategy.
#[derive(Clone, Debug)]
pub struct Summary {
    pub keys: Vec<String>,
    /// Metric names in column order (those with a `_mean` column).
    pub metrics: Vec<String>,
    pub rows: Vec<SummaryRow>,
}

impl Summary {
    /// Strategy names in order of first appearance.
    pub fn strategies(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rows {
            if !out.contains(&r.strategy) {
                out.push(r.strategy.clone());
            }
        }
        out
    }

    /// Every point of the folder, in increasing order.
    pub fn points(&self) -> Vec<u64> {
        let mut p: Vec<u64> = self.rows.iter().map(|r| r.point).collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// The rows of one point, in file order.
    pub fn at_point(&self, point: u64) -> Vec<&SummaryRow> {
        self.rows.iter().filter(|r| r.point == point).collect()
    }

    /// The estimate of `metric` in `row`; undefined if the folder lacks that metric.
    pub fn get(row: &SummaryRow, metric: &str) -> MeanCi {
        row.metrics.get(metric).copied().unwrap_or_default()
    }
}

/// Reads summary.csv.
pub fn summary(dir: &Path) -> anyhow::Result<Summary> {
    let file = CsvFile::open(dir, "summary.csv")?;
    let keys = file.between("point", "strategy")?;
    let point = file.col("point")?;
    let strategy = file.col("strategy")?;
    let replications = file.col("replications")?;
    let first_key = point + 1;
    let mut pairs = Vec::new();
    let mut metrics = Vec::new();
    for (i, h) in file.headers().iter().enumerate() {
        if let Some(m) = h.strip_suffix("_mean") {
            let ci = file
                .headers()
                .iter()
                .position(|c| *c == format!("{m}_ci95"));
            pairs.push((m.to_string(), i, ci));
            metrics.push(m.to_string());
        }
    }
    let mut rows = Vec::new();
    file.for_each(|r| {
        let mut values = HashMap::new();
        for (m, mean, ci) in &pairs {
            let ci95 = match ci {
                Some(c) => r.num(*c)?,
                None => None,
            };
            values.insert(
                m.clone(),
                MeanCi {
                    mean: r.num(*mean)?,
                    ci95,
                },
            );
        }
        rows.push(SummaryRow {
            point: r.index(point)?,
            keys: (0..keys.len())
                .map(|k| r.text(first_key + k).to_string())
                .collect(),
            strategy: r.text(strategy).to_string(),
            replications: r.num(replications)?,
            metrics: values,
        });
        Ok(())
    })?;
    Ok(Summary {
        keys,
        metrics,
        rows,
    })
}

/// The kind of every strategy (flooding, client-server, ...), from runs.csv.
pub fn strategy_kinds(dir: &Path) -> anyhow::Result<HashMap<String, String>> {
    let file = CsvFile::open(dir, "runs.csv")?;
    let strategy = file.col("strategy")?;
    let kind = file.col("kind")?;
    let mut kinds = HashMap::new();
    file.for_each(|r| {
        kinds
            .entry(r.text(strategy).to_string())
            .or_insert_with(|| r.text(kind).to_string());
        Ok(())
    })?;
    Ok(kinds)
}

/// One point of a Lorenz curve of one run.
#[derive(Clone, Debug)]
pub struct LorenzRow {
    pub point: u64,
    pub replication: u64,
    pub strategy: String,
    pub peer_share: f64,
    pub load_share: f64,
}

/// The rows of lorenz.csv (every point).
pub fn lorenz(dir: &Path) -> anyhow::Result<Vec<LorenzRow>> {
    let file = CsvFile::open(dir, "lorenz.csv")?;
    let cols = [
        file.col("point")?,
        file.col("replication")?,
        file.col("strategy")?,
        file.col("peer_share")?,
        file.col("load_share")?,
    ];
    let mut rows = Vec::new();
    file.for_each(|r| {
        let (Some(peer_share), Some(load_share)) = (r.num(cols[3])?, r.num(cols[4])?) else {
            return Ok(());
        };
        rows.push(LorenzRow {
            point: r.index(cols[0])?,
            replication: r.index(cols[1])?,
            strategy: r.text(cols[2]).to_string(),
            peer_share,
            load_share,
        });
        Ok(())
    })?;
    Ok(rows)
}

/// One time bucket of one run.
#[derive(Clone, Debug)]
pub struct BucketRow {
    pub point: u64,
    pub replication: u64,
    pub strategy: String,
    pub t_s: f64,
    pub online_peers: Option<f64>,
    pub queries: Option<f64>,
    pub successes: Option<f64>,
}

/// The rows of timeseries.csv (every point).
pub fn timeseries(dir: &Path) -> anyhow::Result<Vec<BucketRow>> {
    let file = CsvFile::open(dir, "timeseries.csv")?;
    let cols = [
        file.col("point")?,
        file.col("replication")?,
        file.col("strategy")?,
        file.col("t_s")?,
        file.col("online_peers")?,
        file.col("queries")?,
        file.col("successes")?,
    ];
    let mut rows = Vec::new();
    file.for_each(|r| {
        rows.push(BucketRow {
            point: r.index(cols[0])?,
            replication: r.index(cols[1])?,
            strategy: r.text(cols[2]).to_string(),
            t_s: r.req(cols[3])?,
            online_peers: r.num(cols[4])?,
            queries: r.num(cols[5])?,
            successes: r.num(cols[6])?,
        });
        Ok(())
    })?;
    Ok(rows)
}

/// One point of a run's mean coverage curve (coverage.csv).
#[derive(Clone, Debug)]
pub struct CoverageRow {
    pub point: u64,
    pub replication: u64,
    pub strategy: String,
    pub t_s: f64,
    pub coverage: f64,
}

/// The rows of coverage.csv (every point); none when the folder has no broadcasts (no coverage.csv).
pub fn coverage(dir: &Path) -> anyhow::Result<Vec<CoverageRow>> {
    if !dir.join("coverage.csv").is_file() {
        return Ok(Vec::new());
    }
    let file = CsvFile::open(dir, "coverage.csv")?;
    let cols = [
        file.col("point")?,
        file.col("replication")?,
        file.col("strategy")?,
        file.col("t_s")?,
        file.col("coverage")?,
    ];
    let mut rows = Vec::new();
    file.for_each(|r| {
        rows.push(CoverageRow {
            point: r.index(cols[0])?,
            replication: r.index(cols[1])?,
            strategy: r.text(cols[2]).to_string(),
            t_s: r.req(cols[3])?,
            coverage: r.req(cols[4])?,
        });
        Ok(())
    })?;
    Ok(rows)
}

/// The mean load of a leaf and of an ultrapeer in one run (runs.csv); both `None` on a flat overlay.
#[derive(Clone, Debug)]
pub struct TierRow {
    pub point: u64,
    pub strategy: String,
    pub leaf: Option<f64>,
    pub ultrapeer: Option<f64>,
}

/// The tier loads of every run, from runs.csv; none when it has no tier columns.
pub fn tier_loads(dir: &Path) -> anyhow::Result<Vec<TierRow>> {
    let file = CsvFile::open(dir, "runs.csv")?;
    let (Ok(leaf), Ok(up)) = (file.col("load_mean_leaf"), file.col("load_mean_ultrapeer")) else {
        return Ok(Vec::new());
    };
    let point = file.col("point")?;
    let strategy = file.col("strategy")?;
    let mut rows = Vec::new();
    file.for_each(|r| {
        rows.push(TierRow {
            point: r.index(point)?,
            strategy: r.text(strategy).to_string(),
            leaf: r.num(leaf)?,
            ultrapeer: r.num(up)?,
        });
        Ok(())
    })?;
    Ok(rows)
}

/// The top-level `name`, `description` and `warmup` of scenario.toml, when the file is there and readable.
#[derive(Clone, Debug, Default)]
pub struct ScenarioInfo {
    pub name: Option<String>,
    pub description: Option<String>,
    pub warmup: Option<f64>,
    /// The file's text, as written.
    pub text: Option<String>,
}

/// Reads scenario.toml. It only adds to plots and the report, so a missing file gives empty info and a file
/// that is not TOML gives its text alone; an unreadable file is an error.
pub fn scenario(dir: &Path) -> anyhow::Result<ScenarioInfo> {
    let path = dir.join("scenario.toml");
    if !path.is_file() {
        return Ok(ScenarioInfo::default());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let Ok(value) = text.parse::<toml::Table>() else {
        return Ok(ScenarioInfo {
            text: Some(text),
            ..ScenarioInfo::default()
        });
    };
    let warmup = match value.get("warmup") {
        Some(toml::Value::Float(f)) => Some(*f),
        Some(toml::Value::Integer(i)) => Some(*i as f64),
        _ => None,
    };
    Ok(ScenarioInfo {
        name: value.get("name").and_then(|v| v.as_str()).map(String::from),
        description: value
            .get("description")
            .and_then(|v| v.as_str())
            .map(String::from),
        warmup,
        text: Some(text),
    })
}

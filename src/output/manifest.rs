//! `manifest.json`: where a results folder comes from (version, git revision, scenario hash, command line,
//! seed, shard, threads, wall-clock times). Like timing.csv it is outside the byte-identical guarantee.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One shard, K of N with K from 1 (as on the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

/// `shard`: a run's own shard (or null), or the shards a merge combined (null where a shard had no manifest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ShardField {
    One(Shard),
    Merged(Vec<Option<Shard>>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub gnutsim_version: String,
    pub git_revision: Option<String>,
    pub scenario_sha256: String,
    pub command: Vec<String>,
    pub seed: u64,
    pub shard: Option<ShardField>,
    pub threads: Option<usize>,
    pub started_utc: String,
    pub finished_utc: String,
}

impl Manifest {
    /// A manifest for this process, started at `started`, finished now.
    pub fn new(
        scenario_toml: &[u8],
        seed: u64,
        shard: Option<ShardField>,
        threads: Option<usize>,
        started: SystemTime,
    ) -> Self {
        Manifest {
            gnutsim_version: env!("CARGO_PKG_VERSION").to_string(),
            git_revision: git_revision(),
            scenario_sha256: sha256_hex(scenario_toml),
            command: std::env::args().collect(),
            seed,
            shard,
            threads,
            started_utc: rfc3339(started),
            finished_utc: rfc3339(SystemTime::now()),
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Writes it as `dir/manifest.json`.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let path = dir.join("manifest.json");
        std::fs::write(&path, self.to_json())
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// The manifest of a results folder, if it has one.
    pub fn read(dir: &Path) -> anyhow::Result<Option<Manifest>> {
        let path = dir.join("manifest.json");
        if !path.is_file() {
            return Ok(None);
        }
        let text =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let m = serde_json::from_slice(&text)
            .with_context(|| format!("{} is not a gnutsim manifest", path.display()))?;
        Ok(Some(m))
    }
}

/// The git revision the binary was built from (null when built outside a git checkout).
pub fn git_revision() -> Option<String> {
    let rev = env!("GNUTSIM_GIT_REVISION");
    (!rev.is_empty()).then(|| rev.to_string())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// RFC 3339 UTC with whole seconds, e.g. `2026-12-01T09:30:00Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // 2000-02-29T12:34:56Z, a leap day.
        let t = UNIX_EPOCH + Duration::from_secs(951_827_696);
        assert_eq!(rfc3339(t), "2000-02-29T12:34:56Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_798_761_599);
        assert_eq!(rfc3339(t), "2026-12-31T23:59:59Z");
    }

    #[test]
    fn hashes_like_sha256sum() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn manifest_round_trips() {
        let m = Manifest::new(
            b"x",
            7,
            Some(ShardField::Merged(vec![Some(Shard { k: 1, n: 2 }), None])),
            None,
            UNIX_EPOCH,
        );
        let back: Manifest = serde_json::from_slice(&m.to_json()).unwrap();
        assert_eq!(back, m);
    }
}

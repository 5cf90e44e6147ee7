//! Queues: the client-server index against M/M/1, M/M/c (Erlang C) and M/M/1/K, and peer capacity against M/D/1.
//!
//! Waiting times in a queue are strongly autocorrelated (one busy period spans many queries), so the per-query
//! standard error would be several times too small. Standard errors here are batch means: the measured queries,
//! in issue order, cut into `BATCHES` consecutive batches (24,000 queries each here), far longer than the
//! correlation time (of the order of a hundred queries at rho = 0.8), so that the batch means are close to
//! independent. Over seeds 2 to 21 (`other_seeds_pass`), (measured - theory) / standard error spreads with a standard
//! deviation of 0.84 to 1.12 on every row: the standard errors are the right size.

use super::{Check, Row};
use crate::dist::{Dist, secs_to_us};
use crate::error::{Origin, ScenarioError};
use crate::metrics::{Outcome, QueryRecord};
use crate::protocols::client_server::ClientServerSpec;
use crate::results::run::RunOutput;
use crate::scenario::Scenario;
use crate::world::World;

const MM1: (&str, &str) = ("mm1.toml", include_str!("suite/mm1.toml"));
const ERLANG_C: (&str, &str) = ("erlang-c.toml", include_str!("suite/erlang-c.toml"));
const MM1K: (&str, &str) = ("mm1k-drops.toml", include_str!("suite/mm1k-drops.toml"));
const MD1: (&str, &str) = ("md1-capacity.toml", include_str!("suite/md1-capacity.toml"));

pub const CHECKS: &[Check] = &[
    Check {
        name: "mm1",
        theory: "M/M/1: mean time at the server 1/(mu - lambda); utilisation lambda/mu",
        scenarios: &[MM1],
        run: mm1,
    },
    Check {
        name: "erlang-c",
        theory: "M/M/c: mean time at the index C(c, lambda/mu)/(c mu - lambda) + 1/mu (Erlang C); \
                 utilisation lambda/(c mu)",
        scenarios: &[ERLANG_C],
        run: erlang_c_check,
    },
    Check {
        name: "mm1k-drops",
        theory: "M/M/1/K, K = queue_limit + 1: share dropped (1 - rho) rho^K / (1 - rho^(K+1))",
        scenarios: &[MM1K],
        run: mm1k_drops,
    },
    Check {
        name: "md1-capacity",
        theory: "M/D/1 peer capacity: mean wait rho D / (2 (1 - rho)) (Pollaczek-Khinchine); \
                 share not waiting 1 - rho",
        scenarios: &[MD1],
        run: md1_capacity,
    },
];

/// Consecutive batches for batch-means standard errors.
const BATCHES: usize = 25;
/// Tolerances are this many standard errors.
const WIDTH: f64 = 4.0;

// ---- Closed forms ----

/// M/M/1: mean time in the system (waiting + service).
pub fn mm1_sojourn(lambda: f64, mu: f64) -> f64 {
    1.0 / (mu - lambda)
}

/// Erlang B: probability that all c servers are busy in M/M/c/c with offered load a = lambda/mu (the
/// stable recursion B(k) = a B(k-1) / (k + a B(k-1))).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (k as f64 + a * b))
}

/// Erlang C: probability that an arrival waits in M/M/c, from Erlang B: C = B / (1 - (a/c)(1 - B)).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    b / (1.0 - a / c as f64 * (1.0 - b))
}

/// M/M/c: mean time in the system, C/(c mu - lambda) + 1/mu.
pub fn mmc_sojourn(lambda: f64, mu: f64, c: u32) -> f64 {
    erlang_c(c, lambda / mu) / (c as f64 * mu - lambda) + 1.0 / mu
}

/// M/M/1/K: probability that the system holds K (an arrival is blocked).
pub fn mm1k_blocking(rho: f64, k: u32) -> f64 {
    if (rho - 1.0).abs() < 1e-12 {
        return 1.0 / (k as f64 + 1.0);
    }
    (1.0 - rho) * rho.powi(k as i32) / (1.0 - rho.powi(k as i32 + 1))
}

/// M/D/1: mean waiting time in the queue (Pollaczek-Khinchine with a constant service time d).
pub fn md1_wait(lambda: f64, d: f64) -> f64 {
    let rho = lambda * d;
    rho * d / (2.0 * (1.0 - rho))
}

// ---- Measurement ----

/// Mean and batch-means standard error of values in issue order.
fn batch_means(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    let means: Vec<f64> = (0..BATCHES)
        .map(|b| {
            let batch = &values[b * n / BATCHES..(b + 1) * n / BATCHES];
            batch.iter().sum::<f64>() / batch.len() as f64
        })
        .collect();
    let (mean, _) = super::mean_and_se(values);
    let (_, se) = super::mean_and_se(&means);
    (mean, se)
}

/// A built-in scenario run once (replication 0, its one strategy).
struct Run {
    s: Scenario,
    world: World,
    out: RunOutput,
}

impl Run {
    fn new((file, text): (&str, &str)) -> Result<Run, ScenarioError> {
        let mut s = super::load(file, text)?;
        // Per-query records for the batch means (kept out of the files: `gnutsim run` need not write them).
        s.output.queries = true;
        let world = World::build(&s, 0)?;
        let out = crate::strategies::simulate(&s, &s.strategies[0], &world);
        let run = Run { s, world, out };
        if run.out.queries.len() < 100 * BATCHES || run.s.churn.enabled {
            return Err(run.error("", "needs thousands of queries and no churn"));
        }
        Ok(run)
    }

    fn error(&self, key: &str, message: &str) -> ScenarioError {
        ScenarioError::new(&self.s.file, Origin::Default, key, message)
    }

    /// Queries per second issued: query_rate for each peer that lacks some object (a peer holding every
    /// object asks for nothing; without churn every peer is online throughout).
    fn lambda(&self) -> f64 {
        let content = &self.world.content;
        let askers = (0..self.world.peers())
            .filter(|&p| content.held_by(p).len() < content.objects() as usize)
            .count();
        self.s.workload.query_rate * askers as f64
    }

    /// The one-way network delay, as the engine's microsecond clock holds it.
    fn latency_s(&self) -> Result<f64, ScenarioError> {
        match (self.s.network.latency, self.s.network.latency_tick) {
            (Dist::Constant { value }, None) => Ok(secs_to_us(value).max(1) as f64 / 1e6),
            _ => Err(self.error(
                "network.latency",
                "needs a constant latency on the microsecond clock",
            )),
        }
    }

    fn server(&self) -> Result<&ClientServerSpec, ScenarioError> {
        self.s.strategies[0]
            .spec
            .as_any()
            .downcast_ref::<ClientServerSpec>()
            .ok_or_else(|| self.error("strategy", "needs a client-server strategy"))
    }

    /// The measured queries in issue order.
    fn records(&self) -> Vec<&QueryRecord> {
        let mut r: Vec<&QueryRecord> = self.out.queries.iter().collect();
        r.sort_by_key(|q| q.index);
        r
    }

    /// Latencies of the successful queries, in issue order, minus `offset_s`.
    fn latencies(&self, offset_s: f64) -> Vec<f64> {
        self.records()
            .iter()
            .filter_map(|q| q.latency_us)
            .map(|us| us as f64 / 1e6 - offset_s)
            .collect()
    }

    /// The measured server utilisation against lambda/(c mu). The busy time sums the service times of the n
    /// measured queries, i.i.d. exponential and independent of the Poisson count n: a compound Poisson sum of
    /// variance n E[S^2] = 2 n / mu^2, so the standard error of busy / (c T) is sqrt(2 n) / (mu c T).
    fn utilisation_row(&self, check: &'static str, spec: &ClientServerSpec) -> Row {
        let (c, mu) = (spec.servers as f64, spec.service_rate);
        let window = self.s.duration - self.s.warmup;
        let n = self.out.metrics.queries as f64;
        Row {
            check,
            what: "utilisation, lambda / (c mu)".into(),
            measured: self.out.metrics.server_utilisation.unwrap_or(f64::NAN),
            theory: self.lambda() / (c * mu),
            tolerance: WIDTH * (2.0 * n).sqrt() / (mu * c * window),
        }
    }
}

/// A row whose tolerance is `WIDTH` batch-means standard errors of `values`.
fn mean_row(check: &'static str, what: &str, values: &[f64], theory: f64) -> Row {
    let (measured, se) = batch_means(values);
    Row {
        check,
        what: what.into(),
        measured,
        theory,
        tolerance: WIDTH * se,
    }
}

fn mm1() -> Result<Vec<Row>, ScenarioError> {
    mm1_on(MM1)
}

fn mm1_on(scenario: (&str, &str)) -> Result<Vec<Row>, ScenarioError> {
    let run = Run::new(scenario)?;
    let spec = run.server()?;
    let sojourn = run.latencies(2.0 * run.latency_s()?);
    Ok(vec![
        mean_row(
            "mm1",
            "mean time at the server (s)",
            &sojourn,
            mm1_sojourn(run.lambda(), spec.service_rate),
        ),
        run.utilisation_row("mm1", spec),
    ])
}

fn erlang_c_check() -> Result<Vec<Row>, ScenarioError> {
    erlang_c_check_on(ERLANG_C)
}

fn erlang_c_check_on(scenario: (&str, &str)) -> Result<Vec<Row>, ScenarioError> {
    let run = Run::new(scenario)?;
    let spec = run.server()?;
    let sojourn = run.latencies(2.0 * run.latency_s()?);
    Ok(vec![
        mean_row(
            "erlang-c",
            &format!("mean time at {} servers (s)", spec.servers),
            &sojourn,
            mmc_sojourn(run.lambda(), spec.service_rate, spec.servers),
        ),
        run.utilisation_row("erlang-c", spec),
    ])
}

fn mm1k_drops() -> Result<Vec<Row>, ScenarioError> {
    mm1k_drops_on(MM1K)
}

fn mm1k_drops_on(scenario: (&str, &str)) -> Result<Vec<Row>, ScenarioError> {
    let run = Run::new(scenario)?;
    let spec = run.server()?;
    let (Some(limit), 1) = (spec.queue_limit, spec.servers) else {
        return Err(run.error("strategy", "needs one server and a queue_limit"));
    };
    let dropped: Vec<f64> = run
        .records()
        .iter()
        .map(|q| f64::from(u8::from(q.outcome == Outcome::Dropped)))
        .collect();
    let rho = run.lambda() / spec.service_rate;
    Ok(vec![mean_row(
        "mm1k-drops",
        &format!("share dropped, K = {}", limit + 1),
        &dropped,
        mm1k_blocking(rho, limit + 1),
    )])
}

fn md1_capacity() -> Result<Vec<Row>, ScenarioError> {
    md1_capacity_on(MD1)
}

fn md1_capacity_on(scenario: (&str, &str)) -> Result<Vec<Row>, ScenarioError> {
    let run = Run::new(scenario)?;
    let Some(d_us) = run.world.service_us.as_ref().map(|v| v[0]) else {
        return Err(run.error("network.capacity", "needs peer capacity"));
    };
    let constant = matches!(run.s.network.capacity, Some(Dist::Constant { .. }));
    if !constant || run.s.network.queue_limit.is_some() || run.world.peers() != 2 {
        return Err(run.error(
            "network",
            "needs two peers of one constant capacity and no queue limit",
        ));
    }
    let d = d_us as f64 / 1e6;
    // Latency = network both ways + service at the holder and at the querying peer + the holder's wait (the
    // answers leave the holder at least D apart, so they never wait at the querying peer).
    let wait = run.latencies(2.0 * run.latency_s()? + 2.0 * d);
    // Whole microseconds: a wait below half a microsecond is no wait.
    let no_wait: Vec<f64> = wait
        .iter()
        .map(|&w| f64::from(u8::from(w < 0.5e-6)))
        .collect();
    let lambda = run.lambda();
    Ok(vec![
        mean_row(
            "md1-capacity",
            "mean wait at the busy peer (s)",
            &wait,
            md1_wait(lambda, d),
        ),
        mean_row(
            "md1-capacity",
            "share not waiting, 1 - rho",
            &no_wait,
            1.0 - lambda * d,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms_match_textbook_values() {
        // 4 servers at a = 3.2 (rho = 0.8): Erlang B 0.2282, Erlang C 0.5964, sojourn 17.455 ms.
        assert!(
            (erlang_b(4, 3.2) - 0.228_145).abs() < 1e-6,
            "{}",
            erlang_b(4, 3.2)
        );
        assert!(
            (erlang_c(4, 3.2) - 0.596_432).abs() < 1e-6,
            "{}",
            erlang_c(4, 3.2)
        );
        assert!((mmc_sojourn(320.0, 100.0, 4) - 0.017_455).abs() < 1e-6);
        // One server: Erlang C is rho, and M/M/c is M/M/1.
        assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
        assert!((mmc_sojourn(80.0, 100.0, 1) - mm1_sojourn(80.0, 100.0)).abs() < 1e-12);
        assert!((mm1k_blocking(0.9, 5) - 0.126_02).abs() < 1e-5);
        assert!((mm1k_blocking(1.0, 4) - 0.2).abs() < 1e-12);
        assert!((md1_wait(80.0, 0.01) - 0.02).abs() < 1e-12);
    }

    /// Runs a check, asserts every row passes, and that each wrong model (row index, theory) fails.
    fn passes_and_catches(name: &str, wrong: &[(usize, &str, f64)]) {
        let check = CHECKS.iter().find(|c| c.name == name).expect("check");
        let rows = (check.run)().expect("check runs");
        for r in &rows {
            eprintln!(
                "{}: {}: measured {:.6} theory {:.6} tolerance {:.6}",
                r.check, r.what, r.measured, r.theory, r.tolerance
            );
            assert!(r.passed(), "{r:?}");
        }
        for &(i, model, theory) in wrong {
            let r = Row {
                theory,
                ..rows[i].clone()
            };
            eprintln!(
                "  wrong model {model}: {theory:.6}, off by {:.6}",
                (r.measured - theory).abs()
            );
            assert!(!r.passed(), "{model} would pass: {r:?}");
        }
    }

    #[test]
    fn mm1_passes_and_catches_wrong_models() {
        // lambda = 80, mu = 100: no queueing (1/mu), the wait alone (rho/(mu - lambda)), deterministic
        // service (M/D/1: 1/mu + rho/(2 (mu - lambda))).
        passes_and_catches(
            "mm1",
            &[
                (0, "1/mu", 0.01),
                (0, "rho/(mu - lambda)", 0.04),
                (0, "M/D/1", 0.03),
            ],
        );
    }

    #[test]
    fn erlang_c_passes_and_catches_wrong_models() {
        let b = erlang_b(4, 3.2);
        passes_and_catches(
            "erlang-c",
            &[
                (0, "Erlang B in place of C", b / 80.0 + 0.01),
                (0, "one server of rate c mu", mm1_sojourn(320.0, 400.0)),
                (0, "c separate M/M/1 queues", mm1_sojourn(80.0, 100.0)),
            ],
        );
    }

    #[test]
    fn mm1k_passes_and_catches_wrong_models() {
        passes_and_catches(
            "mm1k-drops",
            &[
                (0, "K = queue_limit", mm1k_blocking(0.9, 4)),
                (0, "K = queue_limit + 2", mm1k_blocking(0.9, 6)),
                (0, "infinite queue, P(N >= K) = rho^K", 0.9f64.powi(5)),
            ],
        );
    }

    #[test]
    fn md1_passes_and_catches_wrong_models() {
        passes_and_catches(
            "md1-capacity",
            &[
                (0, "M/M/1 wait rho/(mu - lambda)", 0.8 / 20.0),
                (0, "M/D/1 sojourn W_q + D in place of W_q", 0.03),
            ],
        );
    }

    /// Not run by default (`cargo test --release --lib other_seeds -- --ignored --nocapture`): each check on
    /// seeds 2 to 21. Prints, per row, the spread of (measured - theory) / standard error across seeds: about 1
    /// when the batch-means standard errors are right, well above 1 if they are too small.
    #[test]
    #[ignore]
    fn other_seeds_pass() {
        type RunOn = fn((&str, &str)) -> Result<Vec<Row>, ScenarioError>;
        let checks: [(RunOn, (&str, &str)); 4] = [
            (mm1_on, MM1),
            (erlang_c_check_on, ERLANG_C),
            (mm1k_drops_on, MM1K),
            (md1_capacity_on, MD1),
        ];
        let mut failed = 0;
        for (run, (file, text)) in checks {
            let mut z: Vec<Vec<f64>> = Vec::new();
            for seed in 2..=21 {
                let text = text.replace("seed = 1\n", &format!("seed = {seed}\n"));
                let rows = run((file, &text)).expect("check runs");
                z.resize(rows.len(), Vec::new());
                for (i, r) in rows.iter().enumerate() {
                    z[i].push((r.measured - r.theory) / (r.tolerance / WIDTH));
                    failed += usize::from(!r.passed());
                }
            }
            for (i, zs) in z.iter().enumerate() {
                let n = zs.len() as f64;
                let mean = zs.iter().sum::<f64>() / n;
                let sd = (zs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
                let max = zs.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                eprintln!("{file} row {i}: z mean {mean:.2}, sd {sd:.2}, max |z| {max:.2}");
            }
        }
        assert_eq!(failed, 0);
    }
}

//! Churn: availability and the session samplers' means.
//!
//! Availability is measured on the run and its tolerance comes from the peers themselves: each peer's churn is
//! an independent alternating renewal process, so the per-peer online shares over a window are i.i.d., and the
//! population share's standard error is their standard deviation over sqrt(N). This holds however strongly a
//! peer's state is correlated in time (heavy-tailed Weibull sessions included), which a standard error taken
//! over the timeseries' buckets would not.

use super::{Check, Row};
use crate::churn::ChurnSchedule;
use crate::dist::{Dist, ln_gamma, secs_to_us};
use crate::error::ScenarioError;
use crate::rng::{self, Stream};
use crate::scenario::Scenario;
use crate::world::World;

pub const CHECKS: &[Check] = &[
    Check {
        name: "availability-exponential",
        theory: "online share = S / (S + D), flat from t = 0 (stationary start), exponential sessions and downtimes",
        scenarios: &[(
            "availability-exponential.toml",
            include_str!("suite/availability-exponential.toml"),
        )],
        run: availability_exponential,
    },
    Check {
        name: "availability-weibull",
        theory: "online share = S / (S + D) with S = scale Γ(1 + 1/shape), flat from t = 0 (stationary start)",
        scenarios: &[(
            "availability-weibull.toml",
            include_str!("suite/availability-weibull.toml"),
        )],
        run: availability_weibull,
    },
    Check {
        name: "session-means",
        theory: "sample mean = scale Γ(1 + 1/k) (Weibull), shape scale / (shape - 1) (Pareto), median exp(σ²/2) (lognormal)",
        // The samplers are checked on their own: a scenario would only carry the parameters, and `gnutsim run`
        // on it would measure availability, not the mean of a million draws.
        scenarios: &[],
        run: session_means,
    },
];

/// Standard errors of the tolerances.
const SIGMAS: f64 = 4.0;

/// The closed-form mean, written out here rather than taken from [`Dist::mean`] (which the generator uses).
fn closed_mean(d: &Dist) -> f64 {
    match *d {
        Dist::Constant { value } => value,
        Dist::Uniform { min, max } => (min + max) / 2.0,
        Dist::Exponential { mean } => mean,
        Dist::Weibull { shape, scale } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
        Dist::Pareto { shape, scale } => shape * scale / (shape - 1.0),
        Dist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
    }
}

/// Each peer's share of [a_us, b_us) spent online.
fn per_peer_online(schedule: &ChurnSchedule, a_us: u64, b_us: u64) -> Vec<f64> {
    let n = schedule.peers() as usize;
    let overlap = |from: u64, to: u64| to.min(b_us).saturating_sub(from.max(a_us));
    let mut online = schedule.initially_online.clone();
    let mut since = vec![0u64; n];
    let mut acc = vec![0u64; n];
    for e in &schedule.events {
        if e.time_us >= b_us {
            break;
        }
        let p = e.peer as usize;
        if online[p] {
            acc[p] += overlap(since[p], e.time_us);
        }
        online[p] = e.join;
        since[p] = e.time_us;
    }
    for p in 0..n {
        if online[p] {
            acc[p] += overlap(since[p], b_us);
        }
    }
    let width = (b_us - a_us) as f64;
    acc.into_iter().map(|t| t as f64 / width).collect()
}

/// What an availability check measures: the online share over the first bucket and over the run, each with
/// the standard error from the per-peer shares.
#[derive(Clone, Copy, Debug)]
struct Availability {
    first: f64,
    first_se: f64,
    run: f64,
    run_se: f64,
}

/// The online shares of a schedule over [0, bucket) and [warmup, duration), microseconds.
fn measure_schedule(
    schedule: &ChurnSchedule,
    bucket_us: u64,
    warmup_us: u64,
    duration_us: u64,
) -> Availability {
    let (first, first_se) = super::mean_and_se(&per_peer_online(schedule, 0, bucket_us));
    let (run, run_se) = super::mean_and_se(&per_peer_online(schedule, warmup_us, duration_us));
    Availability {
        first,
        first_se,
        run,
        run_se,
    }
}

fn availability_rows(check: &'static str, theory: f64, m: &Availability) -> Vec<Row> {
    vec![
        Row {
            check,
            what: "online share, first bucket".into(),
            measured: m.first,
            theory,
            tolerance: SIGMAS * m.first_se,
        },
        Row {
            check,
            what: "online share, whole run".into(),
            measured: m.run,
            theory,
            tolerance: SIGMAS * m.run_se,
        },
    ]
}

/// Runs the scenario's first strategy on the world: the measured shares are the run's own (its first timeseries
/// bucket and its `online_mean`), their standard errors from the schedule's per-peer shares. Returns the theory,
/// S / (S + D), and the measurement.
fn availability_run(s: &Scenario, world: &World) -> (f64, Availability) {
    let out = crate::strategies::simulate(s, &s.strategies[0], world);
    let n = world.peers() as f64;
    let schedule = &world
        .churn
        .as_ref()
        .expect("the availability scenarios have churn")
        .schedule;
    let bucket_us = secs_to_us(s.output.bucket.min(s.duration));
    let from_schedule = measure_schedule(
        schedule,
        bucket_us,
        secs_to_us(s.warmup),
        secs_to_us(s.duration),
    );
    let (sess, down) = (
        closed_mean(&s.churn.session),
        closed_mean(&s.churn.downtime),
    );
    let measured = Availability {
        first: out.timeseries[0].online_peers / n,
        run: out.metrics.online_mean / n,
        ..from_schedule
    };
    (sess / (sess + down), measured)
}

fn availability_check(check: &'static str, i: usize) -> Result<Vec<Row>, ScenarioError> {
    let (file, text) = CHECKS[i].scenarios[0];
    let s = super::load(file, text)?;
    let world = World::build(&s, 0)?;
    let (theory, m) = availability_run(&s, &world);
    Ok(availability_rows(check, theory, &m))
}

fn availability_exponential() -> Result<Vec<Row>, ScenarioError> {
    availability_check("availability-exponential", 0)
}

fn availability_weibull() -> Result<Vec<Row>, ScenarioError> {
    availability_check("availability-weibull", 1)
}

/// Draws per law.
const DRAWS: usize = 1_000_000;
const SESSION_SEED: u64 = 21;

/// The laws of `session-means`: heavy-tailed session lengths with a finite variance (Pareto shape > 2).
const LAWS: [Dist; 3] = [
    Dist::Weibull {
        shape: 0.5,
        scale: 900.0,
    },
    Dist::Pareto {
        shape: 3.0,
        scale: 1200.0,
    },
    Dist::LogNormal {
        median: 600.0,
        sigma: 1.0,
    },
];

/// Closed-form standard deviation, where the variance is finite.
fn closed_sd(d: &Dist) -> f64 {
    match *d {
        Dist::Weibull { shape, scale } => {
            let (g1, g2) = (
                ln_gamma(1.0 + 1.0 / shape).exp(),
                ln_gamma(1.0 + 2.0 / shape).exp(),
            );
            scale * (g2 - g1 * g1).sqrt()
        }
        Dist::Pareto { shape, scale } => scale / (shape - 1.0) * (shape / (shape - 2.0)).sqrt(),
        Dist::LogNormal { median, sigma } => {
            let s2 = sigma * sigma;
            median * (s2 / 2.0).exp() * s2.exp_m1().sqrt()
        }
        _ => 0.0,
    }
}

/// Sample mean and its standard error: the larger of the sample's own and the closed form's (a Pareto of shape
/// 3 has no fourth moment, so its sample standard deviation may fall well short).
fn sample_mean(d: &Dist, stream: u32) -> (f64, f64) {
    let mut r = rng::stream(rng::replication_seed(SESSION_SEED, stream), Stream::Churn);
    let sampler = d.sampler();
    let xs: Vec<f64> = (0..DRAWS).map(|_| sampler.sample(&mut r)).collect();
    let (mean, se) = super::mean_and_se(&xs);
    (mean, se.max(closed_sd(d) / (DRAWS as f64).sqrt()))
}

fn session_means() -> Result<Vec<Row>, ScenarioError> {
    Ok(LAWS
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let (mean, se) = sample_mean(d, i as u32);
            let params: Vec<String> = d.params().iter().map(|(k, v)| format!("{k} {v}")).collect();
            Row {
                check: "session-means",
                what: format!("{} mean ({})", d.name(), params.join(", ")),
                measured: mean,
                theory: closed_mean(d),
                tolerance: SIGMAS * se,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::churn;
    use crate::scenario::InitialOnline;
    use std::time::Instant;

    fn fails(measured: f64, wrong: f64, tolerance: f64) -> bool {
        (measured - wrong).abs() > tolerance
    }

    /// The run's shares and the schedule's agree, the check passes, and the wrong models fail: availability
    /// D / (S + D), and a start that puts every peer online at the start of a fresh session.
    fn availability_case(i: usize) -> (Scenario, f64, Availability) {
        let (file, text) = CHECKS[i].scenarios[0];
        let t = Instant::now();
        let s = super::super::load(file, text).unwrap();
        let world = World::build(&s, 0).unwrap();
        let (theory, m) = availability_run(&s, &world);
        let rows = availability_rows(CHECKS[i].name, theory, &m);
        eprintln!("{}: {:.2} s", CHECKS[i].name, t.elapsed().as_secs_f64());
        for r in &rows {
            eprintln!("  {r:?}");
            assert!(r.passed(), "{r:?}");
        }
        let schedule = &world.churn.as_ref().unwrap().schedule;
        let own = measure_schedule(
            schedule,
            secs_to_us(s.output.bucket),
            0,
            secs_to_us(s.duration),
        );
        assert!((own.first - m.first).abs() < 1e-9 && (own.run - m.run).abs() < 1e-9);
        // D / (S + D).
        for r in &rows {
            assert!(fails(r.measured, 1.0 - theory, r.tolerance), "{r:?}");
        }
        // Every peer online at t = 0, at the start of a fresh session.
        let all_on = churn::generate(
            s.network.peers,
            &s.churn.session,
            &s.churn.downtime,
            InitialOnline::Fraction(1.0),
            crate::world::churn_horizon_us(s.duration),
            &mut rng::stream(world.seed, Stream::Churn),
        );
        let wrong = measure_schedule(
            &all_on,
            secs_to_us(s.output.bucket),
            0,
            secs_to_us(s.duration),
        );
        eprintln!("  all online at t = 0: {wrong:?}");
        assert!(!availability_rows(CHECKS[i].name, theory, &wrong)[0].passed());
        (s, theory, m)
    }

    #[test]
    fn validate_availability_exponential() {
        availability_case(0);
    }

    #[test]
    fn validate_availability_weibull() {
        let (s, theory, m) = availability_case(1);
        let seed = rng::replication_seed(s.seed, 0);
        let horizon = crate::world::churn_horizon_us(s.duration);
        let (bucket, duration) = (secs_to_us(s.output.bucket), secs_to_us(s.duration));
        // A sampler that takes the mean for the Weibull scale: sessions twice as long on average.
        let Dist::Weibull { shape, scale } = s.churn.session else {
            panic!("Weibull sessions")
        };
        let long = Dist::Weibull {
            shape,
            scale: closed_mean(&s.churn.session),
        };
        let wrong = churn::generate(
            s.network.peers,
            &long,
            &s.churn.downtime,
            InitialOnline::Stationary,
            horizon,
            &mut rng::stream(seed, Stream::Churn),
        );
        let wrong = measure_schedule(&wrong, bucket, 0, duration);
        eprintln!("  Weibull scale = mean: {wrong:?}");
        assert!(!availability_rows("w", theory, &wrong)[1].passed());
        // The same mistake in the theory (S = scale) fails against the real run.
        let down = closed_mean(&s.churn.downtime);
        assert!(fails(m.run, scale / (scale + down), SIGMAS * m.run_se));
        // Each peer online with probability S / (S + D) but at the start of a fresh session: with shape 0.5
        // many end within minutes, and the first bucket dips.
        let fresh = churn::generate(
            s.network.peers,
            &s.churn.session,
            &s.churn.downtime,
            InitialOnline::Fraction(theory),
            horizon,
            &mut rng::stream(seed, Stream::Churn),
        );
        let fresh = measure_schedule(&fresh, bucket, 0, duration);
        eprintln!("  fresh sessions at t = 0: {fresh:?}");
        assert!(!availability_rows("w", theory, &fresh)[0].passed());
    }

    #[test]
    fn validate_session_means() {
        let t = Instant::now();
        let rows = session_means().unwrap();
        eprintln!("session-means: {:.2} s", t.elapsed().as_secs_f64());
        assert_eq!(rows.len(), 3);
        for r in &rows {
            eprintln!("  {r:?}");
            assert!(r.passed(), "{r:?}");
        }
        // Wrong closed forms: the Weibull scale taken for the mean, the Pareto's mean off by one in the shape
        // (scale / (shape - 1), shape scale / (shape - 2)), the lognormal's median taken for the mean.
        let wrong = [
            vec![900.0],
            vec![1200.0 / 2.0, 3.0 * 1200.0 / 1.0],
            vec![600.0],
        ];
        for (r, ws) in rows.iter().zip(wrong) {
            for w in ws {
                assert!(fails(r.measured, w, r.tolerance), "{r:?} vs {w}");
            }
        }
        // A sampler with the Pareto's parameters swapped (rand_distr takes scale first).
        let swapped = Dist::Pareto {
            shape: 1200.0,
            scale: 3.0,
        };
        let (m, _) = sample_mean(&swapped, 1);
        assert!(fails(m, rows[1].theory, rows[1].tolerance));
    }
}

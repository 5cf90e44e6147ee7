//! Property tests: randomly generated small valid scenarios (10-300 peers; random, regular, power-law,
//! Barabasi-Albert, small-world and two-tier overlays; flooding, expanding rings, uniform and degree-biased walks
//! with and without checks, client-server; with and without churn, peer capacity and queue limits, replication
//! on hit, warmup, timeouts, clock ticks), each run checked against the identities SPEC.md implies.
//!
//! On a failure proptest shrinks the scenario and prints it as TOML ("minimal failing input"), seed included:
//! save it as a file and `gnutsim run` it, or paste it into `crate::common::scenario`.
//!
//! Cases are drawn from a fixed proptest seed, so the suite is the same on every run; `PROPTEST_RNG_SEED=N`
//! draws other cases and `PROPTEST_CASES=N` runs N cases per property (e.g. `PROPTEST_CASES=2000 cargo test
//! --release --test integration properties -- --include-ignored` for a long hunt; 1,500 cases a property with two
//! seeds found nothing beyond the ignored ones). Case counts: 300 per run-and-check property, 100 per trace
//! property (a trace re-runs the engine up to its query, three queries a strategy), 40 for the thread test (it runs
//! every replication twice through the runner). The file takes about 11 s in release mode on the 2-core machine
//! (19 s of CPU; 18 s with --test-threads 1): most scenarios run in a few milliseconds.
//!
//! The shrunk failing scenarios that found the defects of issue 17 (and path replication under client-server)
//! before they were fixed are kept as `REGRESSION_*` constants at the end, each with its `regression_*` test.

use std::fmt;
use std::path::Path;

use gnutsim::adversaries::Role;
use gnutsim::dist::secs_to_us;
use gnutsim::engine::tracer::{Fate, TracedQuery};
use gnutsim::engine::{self, RunOutput};
use gnutsim::metrics::{Outcome, QueryRecord, RunMetrics};
use gnutsim::output;
use gnutsim::protocols::client_server::ClientServerSpec;
use gnutsim::protocols::expanding_ring::ExpandingRingSpec;
use gnutsim::protocols::flooding::FloodingSpec;
use gnutsim::protocols::random_walk::RandomWalkSpec;
use gnutsim::runner::{self, RunOptions};
use gnutsim::scenario::{self, ReplicateOnHit, Scenario, Strategy as Strat};
use gnutsim::world::World;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError};

// ---------------------------------------------------------------------------------------------------------------
// Scenario generator
// ---------------------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Topo {
    Random {
        mean: f64,
    },
    Regular {
        degree: u32,
    },
    PowerLaw {
        exponent: f64,
        min: u32,
        max_share: f64,
    },
    PowerLawMean {
        exponent: f64,
        mean: f64,
    },
    BarabasiAlbert {
        m: u32,
    },
    SmallWorld {
        half_degree: u32,
        rewire: f64,
    },
    TwoTier {
        share: f64,
        up_degree: u32,
        leaf_links: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Latency {
    Constant(f64),
    Uniform(f64, f64),
    Exponential(f64),
    Lognormal(f64, f64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Flood {
        ttl: u32,
    },
    Ring {
        ttl_mask: u8,
        wait: f64,
    },
    Walk {
        walkers: u32,
        ttl: u32,
        check_every: u32,
        degree: bool,
    },
    Server {
        servers: u32,
        rate: f64,
        queue_limit: Option<u32>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct StratCase {
    kind: Kind,
    timeout: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct ChurnCase {
    session_mean: f64,
    weibull_shape: Option<f64>,
    downtime_mean: f64,
    initial: Option<f64>,
    target_degree: u32,
    repair: bool,
}

/// A generated scenario. Its `Debug` is the scenario file itself, so proptest prints failures as TOML.
#[derive(Clone, PartialEq)]
struct Case {
    seed: u64,
    replications: u32,
    peers: u32,
    topology: Topo,
    latency: Latency,
    latency_tick_ms: Option<u32>,
    capacity: Option<(f64, f64)>,
    queue_limit: Option<u32>,
    objects: u32,
    replicas_mean: f64,
    placement: u8,
    zipf: Option<f64>,
    replicate: u8,
    expected_queries: f64,
    duration: f64,
    warmup_share: Option<f64>,
    issue_tick_ms: Option<u32>,
    churn: Option<ChurnCase>,
    /// Shares of free riders, droppers and polluters, and a placement (taken on two-tier overlays only).
    adversaries: Option<(f64, f64, f64, u8)>,
    strategies: Vec<StratCase>,
}

/// Rounds to 3 significant digits, so the printed scenarios stay readable.
fn r3(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// A float as TOML writes it (always with a point or an exponent).
fn f(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

impl Case {
    fn toml(&self) -> String {
        let n = self.peers;
        let mut t = String::new();
        let push = |t: &mut String, line: String| {
            t.push_str(&line);
            t.push('\n');
        };
        push(&mut t, format!("seed = {}", self.seed));
        push(&mut t, format!("replications = {}", self.replications));
        push(&mut t, format!("duration = {}", f(self.duration)));
        if let Some(w) = self.warmup_share {
            push(&mut t, format!("warmup = {}", f(r3(w * self.duration))));
        }
        push(&mut t, "\n[network]".into());
        push(&mut t, format!("peers = {n}"));
        let latency = match self.latency {
            Latency::Constant(v) => format!("{{ dist = \"constant\", value = {} }}", f(v)),
            Latency::Uniform(a, b) => {
                format!(
                    "{{ dist = \"uniform\", min = {}, max = {} }}",
                    f(a),
                    f(r3(a + b))
                )
            }
            Latency::Exponential(m) => format!("{{ dist = \"exponential\", mean = {} }}", f(m)),
            Latency::Lognormal(m, s) => format!(
                "{{ dist = \"lognormal\", median = {}, sigma = {} }}",
                f(m),
                f(s)
            ),
        };
        push(&mut t, format!("latency = {latency}"));
        if let Some(ms) = self.latency_tick_ms {
            push(&mut t, format!("latency_tick = {}", f(ms as f64 / 1000.0)));
        }
        if let Some((lo, spread)) = self.capacity {
            push(
                &mut t,
                format!(
                    "capacity = {{ dist = \"uniform\", min = {}, max = {} }}",
                    f(lo),
                    f(r3(lo * (1.0 + spread)))
                ),
            );
            if let Some(q) = self.queue_limit {
                push(&mut t, format!("queue_limit = {q}"));
            }
        }
        push(&mut t, "\n[topology]".into());
        match self.topology {
            Topo::Random { mean } => {
                push(&mut t, "kind = \"random\"".into());
                push(
                    &mut t,
                    format!("mean_degree = {}", f(mean.min((n - 1) as f64))),
                );
            }
            Topo::Regular { degree } => {
                let mut d = degree.min(n - 1);
                if (d * n) % 2 == 1 {
                    d = if d < n - 1 { d + 1 } else { d - 1 };
                }
                push(&mut t, "kind = \"regular\"".into());
                push(&mut t, format!("degree = {d}"));
            }
            Topo::PowerLaw {
                exponent,
                min,
                max_share,
            } => {
                let min = min.min(n - 1);
                let mut max = min + ((n - 1 - min) as f64 * max_share).round() as u32;
                if min == max && (n * min) % 2 == 1 {
                    // One constant odd degree on an odd number of peers cannot be wired (an error).
                    max = (min + 1).min(n - 1);
                }
                push(&mut t, "kind = \"power-law\"".into());
                push(&mut t, format!("exponent = {}", f(exponent)));
                push(&mut t, format!("min_degree = {min}"));
                push(&mut t, format!("max_degree = {max}"));
            }
            Topo::PowerLawMean { exponent, mean } => {
                push(&mut t, "kind = \"power-law\"".into());
                push(&mut t, format!("exponent = {}", f(exponent)));
                push(
                    &mut t,
                    format!("mean_degree = {:.4}", reachable_mean(exponent, mean, n - 1)),
                );
            }
            Topo::BarabasiAlbert { m } => {
                push(&mut t, "kind = \"barabasi-albert\"".into());
                push(&mut t, format!("m = {}", m.min(n - 1)));
            }
            Topo::SmallWorld {
                half_degree,
                rewire,
            } => {
                push(&mut t, "kind = \"small-world\"".into());
                push(
                    &mut t,
                    format!("degree = {}", (2 * half_degree).min((n - 1) & !1)),
                );
                push(&mut t, format!("rewire = {}", f(rewire)));
            }
            Topo::TwoTier {
                share,
                up_degree,
                leaf_links,
            } => {
                // At least 2 ultrapeers (validation rounds peers x share).
                let share = r3(share.max(2.5 / n as f64));
                let ups = ((n as f64 * share).round() as u32).max(1);
                push(&mut t, "kind = \"two-tier\"".into());
                push(&mut t, format!("ultrapeer_share = {}", f(share)));
                push(
                    &mut t,
                    format!("ultrapeer_degree = {}", up_degree.clamp(1, ups - 1)),
                );
                push(&mut t, format!("leaf_links = {}", leaf_links.clamp(1, ups)));
            }
        }
        push(&mut t, "\n[content]".into());
        push(&mut t, format!("objects = {}", self.objects));
        let placement = ["uniform", "proportional", "square-root"][self.placement as usize % 3];
        push(&mut t, format!("replication = \"{placement}\""));
        push(
            &mut t,
            format!(
                "replicas_mean = {}",
                f(self.replicas_mean.min((n - 1) as f64))
            ),
        );
        match self.zipf {
            Some(s) => push(&mut t, format!("popularity = {{ zipf = {} }}", f(s))),
            None => push(&mut t, "popularity = { uniform = true }".into()),
        }
        let replicate = ["none", "owner", "path"][self.replicate as usize % 3];
        push(&mut t, format!("replicate_on_hit = \"{replicate}\""));
        push(&mut t, "\n[workload]".into());
        let rate = r3(self.expected_queries / (n as f64 * self.duration));
        push(&mut t, format!("query_rate = {}", f(rate)));
        if let Some(ms) = self.issue_tick_ms {
            push(&mut t, format!("issue_tick = {}", f(ms as f64 / 1000.0)));
        }
        if let Some(c) = self.churn {
            push(&mut t, "\n[churn]".into());
            let session = match c.weibull_shape {
                // Weibull with the given mean: scale = mean / Gamma(1 + 1/k).
                Some(k) => format!(
                    "{{ dist = \"weibull\", shape = {}, scale = {} }}",
                    f(k),
                    f(r3(c.session_mean / gamma(1.0 + 1.0 / k)))
                ),
                None => format!("{{ dist = \"exponential\", mean = {} }}", f(c.session_mean)),
            };
            push(&mut t, format!("session = {session}"));
            push(
                &mut t,
                format!(
                    "downtime = {{ dist = \"exponential\", mean = {} }}",
                    f(c.downtime_mean)
                ),
            );
            match c.initial {
                Some(x) => push(&mut t, format!("initial_online = {}", f(x))),
                None => push(&mut t, "initial_online = \"stationary\"".into()),
            }
            push(
                &mut t,
                format!("target_degree = {}", c.target_degree.min(n - 1)),
            );
            push(&mut t, format!("repair = {}", c.repair));
        }
        if let Some((free, drop, pollute, placement)) = self.adversaries {
            push(&mut t, "\n[adversaries]".into());
            // Enough peers left to hold the copies.
            let holders = self.replicas_mean.min((n - 1) as f64).ceil().max(1.0) + 1.0;
            // Disjoint shares: at most 1 in all (three decimals, rounded down).
            let down = |x: f64| (x * 1000.0).floor() / 1000.0;
            let free = down(free.min(((n as f64 - holders) / n as f64).max(0.0)));
            let drop = down(drop.min(1.0 - free));
            let pollute = down(pollute.min(1.0 - free - drop));
            push(&mut t, format!("free_riders = {}", f(free)));
            push(&mut t, format!("droppers = {}", f(drop)));
            push(&mut t, format!("polluters = {}", f(pollute)));
            if matches!(self.topology, Topo::TwoTier { .. }) {
                let placement = ["uniform", "ultrapeers", "leaves"][placement as usize % 3];
                push(&mut t, format!("placement = \"{placement}\""));
            }
        }
        for (i, s) in self.strategies.iter().enumerate() {
            push(&mut t, "\n[[strategy]]".into());
            push(&mut t, format!("name = \"s{i}\""));
            match s.kind {
                Kind::Flood { ttl } => {
                    push(&mut t, "kind = \"flooding\"".into());
                    push(&mut t, format!("ttl = {ttl}"));
                }
                Kind::Ring { ttl_mask, wait } => {
                    let ttls: Vec<String> = (0..7)
                        .filter(|b| ttl_mask & (1 << b) != 0)
                        .map(|b| (b + 1).to_string())
                        .collect();
                    push(&mut t, "kind = \"expanding-ring\"".into());
                    push(&mut t, format!("ttls = [{}]", ttls.join(", ")));
                    push(&mut t, format!("ring_wait = {}", f(wait)));
                }
                Kind::Walk {
                    walkers,
                    ttl,
                    check_every,
                    degree,
                } => {
                    push(&mut t, "kind = \"random-walk\"".into());
                    push(&mut t, format!("walkers = {walkers}"));
                    push(&mut t, format!("ttl = {ttl}"));
                    push(&mut t, format!("check_every = {check_every}"));
                    let bias = if degree { "degree" } else { "uniform" };
                    push(&mut t, format!("bias = \"{bias}\""));
                }
                Kind::Server {
                    servers,
                    rate,
                    queue_limit,
                } => {
                    push(&mut t, "kind = \"client-server\"".into());
                    push(&mut t, format!("servers = {servers}"));
                    push(&mut t, format!("service_rate = {}", f(rate)));
                    if let Some(q) = queue_limit {
                        push(&mut t, format!("queue_limit = {q}"));
                    }
                }
            }
            if let Some(to) = s.timeout {
                push(&mut t, format!("timeout = {}", f(to)));
            }
        }
        push(&mut t, "\n[output]".into());
        push(&mut t, "queries = true".into());
        t
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, fm: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(fm, "\n{}", self.toml())
    }
}

/// Gamma function (Lanczos), for the Weibull scale of a given mean.
fn gamma(x: f64) -> f64 {
    gnutsim::dist::ln_gamma(x).exp()
}

/// Which scenarios a property draws.
#[derive(Clone, Copy)]
struct Shape {
    /// `Some(true)`: always churn; `Some(false)`: never; `None`: either.
    churn: Option<bool>,
    /// Whether peers may have a capacity (and a queue limit).
    capacity: bool,
    /// Always replication on hit (owner or path), and no warmup.
    replicate: bool,
    flood: bool,
    ring: bool,
    walk: bool,
    server: bool,
}

const ANY: Shape = Shape {
    churn: None,
    capacity: true,
    replicate: false,
    flood: true,
    ring: true,
    walk: true,
    server: true,
};

fn rounded(lo: f64, hi: f64) -> impl proptest::strategy::Strategy<Value = f64> {
    (lo..hi).prop_map(r3)
}

fn topologies() -> impl proptest::strategy::Strategy<Value = Topo> {
    prop_oneof![
        rounded(1.0, 8.0).prop_map(|mean| Topo::Random { mean }),
        (1u32..=6).prop_map(|degree| Topo::Regular { degree }),
        (rounded(2.0, 3.0), 1u32..=3, 0.0f64..1.0).prop_map(|(exponent, min, s)| {
            Topo::PowerLaw {
                exponent,
                min,
                max_share: r3(s),
            }
        }),
        (rounded(2.0, 3.0), rounded(2.0, 6.0))
            .prop_map(|(exponent, mean)| Topo::PowerLawMean { exponent, mean }),
        (1u32..=3).prop_map(|m| Topo::BarabasiAlbert { m }),
        (1u32..=3, rounded(0.0, 1.0)).prop_map(|(half_degree, rewire)| Topo::SmallWorld {
            half_degree,
            rewire
        }),
        (rounded(0.05, 0.3), 1u32..=6, 1u32..=3).prop_map(|(share, up_degree, leaf_links)| {
            Topo::TwoTier {
                share,
                up_degree,
                leaf_links,
            }
        }),
    ]
}

fn latencies() -> impl proptest::strategy::Strategy<Value = Latency> {
    prop_oneof![
        rounded(0.005, 0.3).prop_map(Latency::Constant),
        (rounded(0.005, 0.2), rounded(0.0, 0.5)).prop_map(|(a, b)| Latency::Uniform(a, b)),
        rounded(0.005, 0.3).prop_map(Latency::Exponential),
        (rounded(0.005, 0.2), rounded(0.1, 1.0)).prop_map(|(m, s)| Latency::Lognormal(m, s)),
    ]
}

fn kinds(shape: Shape) -> BoxedStrategy<Kind> {
    let mut options: Vec<BoxedStrategy<Kind>> = Vec::new();
    if shape.flood {
        options.push((1u32..=7).prop_map(|ttl| Kind::Flood { ttl }).boxed());
    }
    if shape.ring {
        options.push(
            (1u8..128, rounded(0.05, 3.0))
                .prop_map(|(ttl_mask, wait)| Kind::Ring { ttl_mask, wait })
                .boxed(),
        );
    }
    if shape.walk {
        options.push(
            (
                1u32..=8,
                1u32..=256,
                prop_oneof![Just(0u32), 1u32..=8],
                any::<bool>(),
            )
                .prop_map(|(walkers, ttl, check_every, degree)| Kind::Walk {
                    walkers,
                    ttl,
                    check_every,
                    degree,
                })
                .boxed(),
        );
    }
    if shape.server {
        options.push(
            (
                1u32..=3,
                rounded(0.5, 100.0),
                proptest::option::of(0u32..=5),
            )
                .prop_map(|(servers, rate, queue_limit)| Kind::Server {
                    servers,
                    rate,
                    queue_limit,
                })
                .boxed(),
        );
    }
    proptest::strategy::Union::new(options).boxed()
}

fn churns() -> impl proptest::strategy::Strategy<Value = ChurnCase> {
    (
        rounded(5.0, 200.0),
        proptest::option::of(rounded(0.5, 2.0)),
        // Downtimes as short as a message's flight too: a peer that leaves and is back before a message lands.
        prop_oneof![rounded(0.02, 2.0), rounded(1.0, 200.0)],
        proptest::option::of(rounded(0.2, 1.0)),
        1u32..=5,
        any::<bool>(),
    )
        .prop_map(
            |(session_mean, weibull_shape, downtime_mean, initial, target_degree, repair)| {
                ChurnCase {
                    session_mean,
                    weibull_shape,
                    downtime_mean,
                    initial,
                    target_degree,
                    repair,
                }
            },
        )
}

fn cases(shape: Shape) -> impl proptest::strategy::Strategy<Value = Case> {
    let world = (
        0u64..1_000_000,
        1u32..=2,
        10u32..=300,
        topologies(),
        latencies(),
        proptest::option::of(prop_oneof![Just(1u32), Just(10), Just(100)]),
        proptest::option::of(prop_oneof![Just(1u32), Just(10), Just(1000)]),
        proptest::option::of((
            rounded(0.0, 0.7),
            rounded(0.0, 0.3),
            rounded(0.0, 0.3),
            0u8..3,
        )),
    );
    let capacity = if shape.capacity {
        proptest::option::of((rounded(5.0, 300.0), rounded(0.0, 3.0))).boxed()
    } else {
        Just(None).boxed()
    };
    let churn = match shape.churn {
        Some(true) => churns().prop_map(Some).boxed(),
        Some(false) => Just(None).boxed(),
        None => proptest::option::of(churns()).boxed(),
    };
    let content = (
        1u32..=30,
        rounded(0.3, 6.0),
        0u8..3,
        proptest::option::of(rounded(0.2, 1.5)),
        if shape.replicate {
            (1u8..3).boxed()
        } else {
            prop_oneof![2 => Just(0u8), 1 => 1u8..3].boxed()
        },
    );
    let run = (
        capacity,
        proptest::option::of(0u32..=6),
        rounded(3.0, 150.0),
        rounded(10.0, 120.0),
        if shape.replicate {
            Just(None).boxed()
        } else {
            proptest::option::of(rounded(0.0, 0.5)).boxed()
        },
        churn,
        proptest::collection::vec(
            (kinds(shape), proptest::option::of(rounded(0.05, 5.0)))
                .prop_map(|(kind, timeout)| StratCase { kind, timeout }),
            1..=3,
        ),
    );
    (world, content, run).prop_map(
        |(
            (
                seed,
                replications,
                peers,
                topology,
                latency,
                latency_tick_ms,
                issue_tick_ms,
                adversaries,
            ),
            (objects, replicas_mean, placement, zipf, replicate),
            (capacity, queue_limit, expected_queries, duration, warmup_share, churn, strategies),
        )| Case {
            seed,
            replications,
            peers,
            topology,
            latency,
            latency_tick_ms,
            capacity,
            queue_limit,
            objects,
            replicas_mean,
            placement,
            zipf,
            replicate,
            expected_queries,
            duration: duration.round().max(1.0),
            warmup_share,
            issue_tick_ms,
            churn,
            adversaries,
            strategies,
        },
    )
}

/// proptest's configuration: `cases` per property unless PROPTEST_CASES says otherwise, drawn from a fixed seed
/// unless PROPTEST_RNG_SEED says otherwise, no regression files.
fn config(cases: u32) -> Config {
    let from_env = Config::default();
    Config {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            from_env.cases
        } else {
            cases
        },
        rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
            from_env.rng_seed
        } else {
            RngSeed::Fixed(17)
        },
        failure_persistence: None,
        // Shrink further than proptest's default (4 x cases) when a property fails: readable failing scenarios.
        max_shrink_iters: if std::env::var_os("PROPTEST_MAX_SHRINK_ITERS").is_some() {
            from_env.max_shrink_iters
        } else {
            2048
        },
        ..from_env
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------------------------------

struct Ran {
    s: Scenario,
    world: World,
    /// One output per strategy, replication 0.
    runs: Vec<RunOutput>,
}

fn load(toml: &str) -> Result<Scenario, TestCaseError> {
    scenario::load_str(
        Path::new("property.toml"),
        toml,
        &[],
        gnutsim::strategies::KINDS,
    )
    .map_err(|e| TestCaseError::fail(format!("the generator made an invalid scenario: {e}")))
}

fn run(toml: &str) -> Result<Ran, TestCaseError> {
    let s = load(toml)?;
    let world = World::build(&s, 0).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let runs = s
        .strategies
        .iter()
        .map(|st| gnutsim::strategies::simulate(&s, st, &world))
        .collect();
    Ok(Ran { s, world, runs })
}

/// A strategy's keys as one enum, so that the properties can match on its kind.
enum StrategyKind {
    Flooding {
        ttl: u32,
    },
    ExpandingRing {
        ttls: Vec<u32>,
        ring_wait: f64,
    },
    RandomWalk {
        walkers: u32,
        ttl: u32,
        check_every: u32,
    },
    ClientServer {
        servers: u32,
    },
}

fn kind(st: &Strat) -> StrategyKind {
    if let Some(f) = st.spec::<FloodingSpec>() {
        StrategyKind::Flooding { ttl: f.ttl }
    } else if let Some(r) = st.spec::<ExpandingRingSpec>() {
        StrategyKind::ExpandingRing {
            ttls: r.ttls.clone(),
            ring_wait: r.ring_wait,
        }
    } else if let Some(w) = st.spec::<RandomWalkSpec>() {
        StrategyKind::RandomWalk {
            walkers: w.walkers,
            ttl: w.ttl,
            check_every: w.check_every,
        }
    } else if let Some(c) = st.spec::<ClientServerSpec>() {
        StrategyKind::ClientServer { servers: c.servers }
    } else {
        panic!("the properties do not know strategy kind {}", st.kind())
    }
}

fn is_walk(st: &Strat) -> bool {
    matches!(kind(st), StrategyKind::RandomWalk { .. })
}

fn is_server(st: &Strat) -> bool {
    matches!(kind(st), StrategyKind::ClientServer { .. })
}

fn count(records: &[QueryRecord], outcome: Outcome) -> u64 {
    records.iter().filter(|r| r.outcome == outcome).count() as u64
}

fn reached(records: &[QueryRecord]) -> u64 {
    records.iter().map(|r| r.reached).sum()
}

/// The figures a failure message shows.
fn figures(m: &RunMetrics) -> String {
    format!(
        "queries {} successes {} messages {} query_messages {} hit_messages {} first_receipts {} \
         duplicates {} lost_query_messages {} dropped_query_messages {} lost_messages {} dropped_messages {} \
         fails (no_copy {}, not_found {}, lost {}, dropped {}, timeout {}, fooled {}) fooled {} fake hits {} \
         swallowed {}",
        m.queries,
        m.successes,
        m.messages,
        m.query_messages,
        m.hit_messages,
        m.first_receipts,
        m.duplicate_messages,
        m.lost_query_messages,
        m.dropped_query_messages,
        m.lost_messages,
        m.dropped_messages,
        m.fail_no_copy,
        m.fail_not_found,
        m.fail_lost,
        m.fail_dropped,
        m.fail_timeout,
        m.fail_fooled,
        m.fooled,
        m.fake_hits,
        m.swallowed_messages
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

// ---------------------------------------------------------------------------------------------------------------
// The identities
// ---------------------------------------------------------------------------------------------------------------

/// Identity 1: The failure reasons add up to queries - successes, and queries.csv agrees with runs.csv on every
/// count.
fn failure_reasons_add_up(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    for (st, out) in ran.s.strategies.iter().zip(&ran.runs) {
        let m = &out.metrics;
        let q = &out.queries;
        let fails = m.fail_no_copy
            + m.fail_not_found
            + m.fail_lost
            + m.fail_dropped
            + m.fail_timeout
            + m.fail_fooled;
        prop_assert_eq!(
            fails,
            m.queries - m.successes,
            "strategy {}: failure reasons do not add up to queries - successes: {}",
            st.name,
            figures(m)
        );
        prop_assert_eq!(
            q.len() as u64,
            m.queries,
            "strategy {}: queries.csv rows",
            st.name
        );
        let by_outcome = [
            (Outcome::Success, m.successes, "successes"),
            (Outcome::NoCopy, m.fail_no_copy, "fail_no_copy"),
            (Outcome::NotFound, m.fail_not_found, "fail_not_found"),
            (Outcome::Lost, m.fail_lost, "fail_lost"),
            (Outcome::Dropped, m.fail_dropped, "fail_dropped"),
            (Outcome::Timeout, m.fail_timeout, "fail_timeout"),
            (Outcome::Fooled, m.fail_fooled, "fail_fooled"),
        ];
        for (outcome, column, name) in by_outcome {
            prop_assert_eq!(
                count(q, outcome),
                column,
                "strategy {}: queries.csv outcomes {:?} against runs.csv {}",
                st.name,
                outcome,
                name
            );
        }
        // Bad actors: a query failed as fooled was fooled (its first hit was fake); the counts of runs.csv are the
        // sums over queries.csv; nothing is fake or swallowed without polluters or droppers.
        prop_assert_eq!(q.iter().filter(|r| r.fooled).count() as u64, m.fooled);
        prop_assert_eq!(
            q.iter().map(|r| u64::from(r.fake_hits)).sum::<u64>(),
            m.fake_hits
        );
        for r in q {
            prop_assert!(
                r.outcome != Outcome::Fooled || r.fooled,
                "strategy {}: query {} failed fooled without a fake first hit",
                st.name,
                r.index
            );
            prop_assert!(!r.fooled || r.fake_hits > 0);
        }
        let roles = ran.world.roles.as_ref();
        let has = |role| roles.is_some_and(|r| r.count(role) > 0);
        if !has(Role::Polluter) {
            prop_assert_eq!(m.fake_hits + m.fooled, 0, "fakes without polluters");
        }
        if !has(Role::Dropper) {
            prop_assert_eq!(m.swallowed_messages, 0, "swallowed without droppers");
        }
        // A success, and only a success, has a first hit (its hops and latency).
        for r in q {
            prop_assert_eq!(
                r.outcome == Outcome::Success,
                r.hops.is_some() && r.latency_us.is_some(),
                "strategy {}: query {} is {:?} with hops {:?}",
                st.name,
                r.index,
                r.outcome,
                r.hops
            );
        }
    }
    Ok(())
}

/// Identity 2: Floods, rings and walks: every query message sent is a first receipt, a duplicate, lost to churn or
/// dropped by a full queue.
fn query_messages_are_accounted_for(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    for (st, out) in ran.s.strategies.iter().zip(&ran.runs) {
        if is_server(st) {
            continue;
        }
        let m = &out.metrics;
        prop_assert_eq!(
            m.query_messages,
            m.first_receipts
                + m.duplicate_messages
                + m.lost_query_messages
                + m.dropped_query_messages,
            "strategy {}: query_messages != first_receipts + duplicates + lost + dropped: {}",
            st.name,
            figures(m)
        );
    }
    Ok(())
}

/// Identity 3: `messages` is the sum over queries of each query's messages (counted apart, in queries.csv), and
/// the sum of the kinds: query and hit messages, plus the walkers' checks and the index's "not found" answers.
fn messages_are_the_sum_over_queries_and_kinds(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    for (st, out) in ran.s.strategies.iter().zip(&ran.runs) {
        let m = &out.metrics;
        let per_query: u64 = out.queries.iter().map(|r| r.messages).sum();
        prop_assert_eq!(
            m.messages,
            per_query,
            "strategy {}: messages != sum of queries.csv messages: {}",
            st.name,
            figures(m)
        );
        prop_assert!(
            m.messages >= m.query_messages + m.hit_messages,
            "strategy {}: messages < query + hit messages: {}",
            st.name,
            figures(m)
        );
        match kind(st) {
            StrategyKind::Flooding { .. } | StrategyKind::ExpandingRing { .. } => {
                prop_assert_eq!(
                    m.messages,
                    m.query_messages + m.hit_messages,
                    "strategy {}: a flood sends queries and hits only: {}",
                    st.name,
                    figures(m)
                );
            }
            StrategyKind::RandomWalk {
                walkers,
                ttl,
                check_every,
                ..
            } => {
                if check_every == 0 {
                    prop_assert_eq!(
                        m.messages,
                        m.query_messages + m.hit_messages,
                        "strategy {}: a walk without checks sends steps and hits only: {}",
                        st.name,
                        figures(m)
                    );
                }
                prop_assert!(
                    m.query_messages <= m.queries * walkers as u64 * ttl as u64,
                    "strategy {}: more steps than walkers x ttl per query: {}",
                    st.name,
                    figures(m)
                );
            }
            StrategyKind::ClientServer { .. } => {
                // One request per query, and one answer per request the index did not drop and that was
                // not lost on its way (its source left while it was in flight).
                prop_assert_eq!(
                    m.query_messages,
                    m.queries,
                    "strategy {}: requests",
                    st.name
                );
                prop_assert_eq!(
                    m.messages,
                    2 * m.queries - m.dropped_query_messages - m.lost_query_messages,
                    "strategy {}: requests + answers: {}",
                    st.name,
                    figures(m)
                );
            }
        }
    }
    Ok(())
}

/// Who is online when, per peer, from the world's churn schedule (every peer always, without churn).
struct Presence {
    initially: Vec<bool>,
    /// Per peer, the times of its changes (joins and leaves alternate).
    changes: Vec<Vec<u64>>,
}

impl Presence {
    fn of(world: &World) -> Presence {
        let n = world.peers() as usize;
        match &world.churn {
            None => Presence {
                initially: vec![true; n],
                changes: vec![Vec::new(); n],
            },
            Some(c) => {
                let mut changes = vec![Vec::new(); n];
                for e in &c.schedule.events {
                    changes[e.peer as usize].push(e.time_us);
                }
                Presence {
                    initially: c.schedule.initially_online.clone(),
                    changes,
                }
            }
        }
    }

    /// Whether `peer` is online at `t`; `None` when it changes at exactly `t` (the order of same-instant events
    /// is the engine's).
    fn online(&self, peer: u32, t: u64) -> Option<bool> {
        let c = &self.changes[peer as usize];
        let before = c.partition_point(|&x| x < t);
        if c.get(before) == Some(&t) {
            return None;
        }
        Some(self.initially[peer as usize] ^ (before % 2 == 1))
    }

    /// Time-averaged number of online peers over [a, b), integrated peer by peer.
    fn mean(&self, a: u64, b: u64) -> f64 {
        let mut area = 0u128;
        for (p, c) in self.changes.iter().enumerate() {
            let mut on = self.initially[p];
            let mut from = 0u64;
            for &t in c.iter().chain(std::iter::once(&u64::MAX)) {
                if on {
                    let (lo, hi) = (from.max(a), t.min(b));
                    if hi > lo {
                        area += u128::from(hi - lo);
                    }
                }
                on = !on;
                from = t;
            }
        }
        area as f64 / (b - a) as f64
    }
}

/// Identity 6b: Queries as SPEC's workload and content define them: issued in [warmup, duration) by an online
/// peer, for an object it does not hold; `fail_no_copy` exactly when no online peer held a copy at issue; the
/// index fails only by no copy, drops, churn or timeouts; no copies made without replication on hit; online_mean
/// is the schedule's time average; a timeseries bucket per `output.bucket`, 101 Lorenz points.
fn queries_follow_the_workload_and_content(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    let s = &ran.s;
    let content = &ran.world.content;
    let presence = Presence::of(&ran.world);
    let (warmup_us, duration_us) = (secs_to_us(s.warmup), secs_to_us(s.duration));
    let replicate = s.content.replicate_on_hit;
    for (st, out) in s.strategies.iter().zip(&ran.runs) {
        let name = &st.name;
        let m = &out.metrics;
        for r in &out.queries {
            prop_assert!(
                r.time_us >= warmup_us && r.time_us < duration_us,
                "{}: query {} issued at {} us, outside [warmup, duration)",
                name,
                r.index,
                r.time_us
            );
            prop_assert!(
                presence.online(r.source, r.time_us) != Some(false),
                "{}: query {} issued by peer {}, offline at {} us",
                name,
                r.index,
                r.source,
                r.time_us
            );
            if replicate == ReplicateOnHit::None {
                prop_assert!(
                    !content.holds(r.source, r.object),
                    "{}: query {}: peer {} asks for object {}, which it holds",
                    name,
                    r.index,
                    r.source,
                    r.object
                );
                let online_copy: Vec<Option<bool>> = content
                    .holders(r.object)
                    .iter()
                    .map(|&h| presence.online(h, r.time_us))
                    .collect();
                if online_copy.iter().all(Option::is_some) {
                    let any = online_copy.contains(&Some(true));
                    // A query fails as no_copy exactly when no copy was online at issue. Under churn one
                    // without a copy then may still succeed (a holder comes online before the search ends).
                    let expected = if any {
                        r.outcome != Outcome::NoCopy
                    } else if s.churn.enabled {
                        matches!(r.outcome, Outcome::NoCopy | Outcome::Success)
                    } else {
                        r.outcome == Outcome::NoCopy
                    };
                    prop_assert!(
                        expected,
                        "{}: query {} for object {} is {:?}, with a copy online at issue: {}",
                        name,
                        r.index,
                        r.object,
                        r.outcome,
                        any
                    );
                }
            }
        }
        if is_server(st) && !s.churn.enabled {
            prop_assert_eq!(m.fail_not_found, 0, "{}: the index missed a copy", name);
        }
        let start: u64 = out.copies_start.iter().map(|&c| c as u64).sum();
        let end: u64 = out.copies_end.iter().map(|&c| c as u64).sum();
        let objects = out.copies_start.len() as f64;
        prop_assert!(
            close(m.copies_per_object, end as f64 / objects),
            "{}: copies_per_object",
            name
        );
        for (o, &c) in out.copies_start.iter().enumerate() {
            prop_assert_eq!(
                c as usize,
                content.copies(o as u32),
                "{}: copies of object {} at the start",
                name,
                o
            );
        }
        if replicate == ReplicateOnHit::None {
            prop_assert_eq!(start, end, "{}: copies without replication", name);
        }
        if s.churn.enabled {
            let want = presence.mean(warmup_us, duration_us);
            prop_assert!(
                close(m.online_mean, want),
                "{}: online_mean {} vs {}",
                name,
                m.online_mean,
                want
            );
        }
        let buckets = (duration_us as f64 / secs_to_us(s.output.bucket) as f64).ceil() as usize;
        prop_assert_eq!(
            out.timeseries.len(),
            buckets.max(1),
            "{}: timeseries buckets",
            name
        );
        prop_assert_eq!(out.lorenz.len(), 101, "{}: Lorenz points", name);
    }
    Ok(())
}

/// Identity 6c: Replication on hit (README: after a successful query the querying peer (owner), or every peer the
/// first hit passed through (path), keeps a copy): owner adds exactly one copy per successful source and object,
/// path at least that many, and a peer never asks again for what it got. Counted over every query, so without
/// warmup.
fn replication_adds_the_copies_it_should(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    let s = &ran.s;
    let replicate = s.content.replicate_on_hit;
    let all_recorded = s.warmup == 0.0;
    for (st, out) in s.strategies.iter().zip(&ran.runs) {
        let name = &st.name;
        let start: u64 = out.copies_start.iter().map(|&c| c as u64).sum();
        let end: u64 = out.copies_end.iter().map(|&c| c as u64).sum();
        // Successful (source, object) pairs and when their hit arrived.
        let mut got: Vec<(u32, u32, u64)> = out
            .queries
            .iter()
            .filter(|r| r.outcome == Outcome::Success)
            .map(|r| (r.source, r.object, r.time_us + r.latency_us.unwrap_or(0)))
            .collect();
        got.sort_unstable();
        got.dedup_by_key(|g| (g.0, g.1));
        let added = end - start;
        match replicate {
            ReplicateOnHit::None => {
                prop_assert_eq!(added, 0, "{}: copies without replication", name)
            }
            ReplicateOnHit::Owner if all_recorded => {
                prop_assert_eq!(
                    added,
                    got.len() as u64,
                    "{}: owner replication adds one copy per successful source and object",
                    name
                );
                for &(source, object, at) in &got {
                    let again = out
                        .queries
                        .iter()
                        .find(|r| r.source == source && r.object == object && r.time_us > at);
                    prop_assert!(
                        again.is_none(),
                        "{}: peer {} got object {} at {} us, and asks for it again in query {:?}",
                        name,
                        source,
                        object,
                        at,
                        again.map(|r| r.index)
                    );
                }
            }
            ReplicateOnHit::Path if all_recorded => prop_assert!(
                added >= got.len() as u64,
                "{}: path replication added {} copies for {} successful sources and objects",
                name,
                added,
                got.len()
            ),
            _ => {}
        }
    }
    Ok(())
}

/// Identity 4a: Walks without churn or queues: every walker step is a first visit or a duplicate (a revisit, the
/// source included), so query_messages = queries x peers_reached_per_query + duplicate_messages.
fn walk_steps_are_first_visits_or_duplicates(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    for (st, out) in ran.s.strategies.iter().zip(&ran.runs) {
        if !is_walk(st) {
            continue;
        }
        let m = &out.metrics;
        let reached = reached(&out.queries);
        prop_assert_eq!(
            m.query_messages,
            reached + m.duplicate_messages,
            "strategy {}: walker steps != peers reached ({}) + duplicates: {}",
            st.name,
            reached,
            figures(m)
        );
    }
    Ok(())
}

/// Identity 4b: Without churn, a flood's first receipts are the peers it reached (an expanding ring's at least the
/// union over its rings).
fn flood_receipts_match_reach(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    for (st, out) in ran.s.strategies.iter().zip(&ran.runs) {
        let m = &out.metrics;
        let reached = reached(&out.queries);
        match kind(st) {
            StrategyKind::Flooding { .. } => prop_assert_eq!(
                m.first_receipts,
                reached,
                "strategy {}: first receipts != peers reached: {}",
                st.name,
                figures(m)
            ),
            StrategyKind::ExpandingRing { .. } => prop_assert!(
                m.first_receipts >= reached,
                "strategy {}: first receipts {} < peers reached {}",
                st.name,
                m.first_receipts,
                reached
            ),
            _ => {}
        }
    }
    Ok(())
}

/// Identity 5: Every CSV file but timing.csv is byte-identical at 1 and 2 threads.
fn output_does_not_depend_on_threads(toml: &str) -> Result<(), TestCaseError> {
    let plan = scenario::load_plan_str(
        Path::new("property.toml"),
        toml,
        &[],
        gnutsim::strategies::KINDS,
    )
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let files = |threads| -> Result<Vec<(String, Vec<u8>)>, TestCaseError> {
        let opts = RunOptions {
            threads: Some(threads),
            quiet: true,
            shard: None,
        };
        let results =
            runner::run_plan(&plan, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        Ok(output::render(&plan, &results)
            .into_iter()
            .filter(|(name, _)| name != "timing.csv")
            .collect())
    };
    let (one, two) = (files(1)?, files(2)?);
    prop_assert_eq!(one.len(), two.len());
    for ((name, a), (_, b)) in one.iter().zip(&two) {
        prop_assert!(
            a == b,
            "{} differs between --threads 1 and --threads 2:\n{}",
            name,
            crate::golden_runs::describe_diff(a, b)
        );
    }
    Ok(())
}

/// Identity 6: Figures that SPEC derives from counts: rates, means over queries and successes, online peers, load
/// accounting, timeouts, TTLs, and with a constant latency and no queues the exact latency of a first hit.
fn derived_figures_follow_from_counts(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    let s = &ran.s;
    let peers = s.network.peers;
    let churn = s.churn.enabled;
    // The one-way latency when it is constant (drawn as the engine draws it, clock tick included).
    let constant_latency = match s.network.latency {
        gnutsim::dist::Dist::Constant { .. } if s.network.capacity.is_none() => {
            Some(engine::message_latencies(s, ran.world.seed).next_us())
        }
        _ => None,
    };
    let two_tier = ran.world.ultrapeers.is_some();
    for (st, out) in s.strategies.iter().zip(&ran.runs) {
        let m = &out.metrics;
        let q = &out.queries;
        let name = &st.name;
        // Bytes: every message is between a check (23 bytes) and a hit (97) with the default sizes, and a query
        // message is 56 bytes.
        prop_assert!(
            m.bytes >= 23 * m.messages && m.bytes <= 97 * m.messages,
            "{}: {} bytes for {} messages",
            name,
            m.bytes,
            m.messages
        );
        prop_assert!(m.bytes >= 56 * m.query_messages);
        if m.queries > 0 {
            let n = m.queries as f64;
            prop_assert_eq!(m.success_rate(), Some(m.successes as f64 / n));
            prop_assert_eq!(m.messages_per_query(), Some(m.messages as f64 / n));
            prop_assert_eq!(m.bytes_per_query(), Some(m.bytes as f64 / n));
            prop_assert_eq!(
                m.peers_reached_per_query,
                Some(reached(q) as f64 / n),
                "{}",
                name
            );
        } else {
            prop_assert_eq!(m.success_rate(), None);
            prop_assert_eq!(m.peers_reached_per_query, None);
        }
        let successes: Vec<&QueryRecord> =
            q.iter().filter(|r| r.outcome == Outcome::Success).collect();
        if successes.is_empty() {
            prop_assert_eq!(m.mean_hops, None, "{}", name);
            prop_assert_eq!(m.mean_latency_s, None, "{}", name);
        } else {
            let k = successes.len() as f64;
            let hops = successes
                .iter()
                .map(|r| r.hops.unwrap_or(0) as f64)
                .sum::<f64>()
                / k;
            let lat = successes
                .iter()
                .map(|r| r.latency_us.unwrap_or(0) as f64 / 1e6)
                .sum::<f64>()
                / k;
            prop_assert!(
                close(m.mean_hops.unwrap_or(f64::NAN), hops),
                "{}: mean_hops {:?} vs {}",
                name,
                m.mean_hops,
                hops
            );
            prop_assert!(
                close(m.mean_latency_s.unwrap_or(f64::NAN), lat),
                "{}: mean_latency_s {:?} vs {}",
                name,
                m.mean_latency_s,
                lat
            );
            let p95 = m.p95_latency_s.unwrap_or(f64::NAN);
            let max = successes
                .iter()
                .map(|r| r.latency_us.unwrap_or(0))
                .max()
                .unwrap_or(0) as f64
                / 1e6;
            let min = successes
                .iter()
                .map(|r| r.latency_us.unwrap_or(0))
                .min()
                .unwrap_or(0) as f64
                / 1e6;
            prop_assert!(
                p95 >= min - 1e-12 && p95 <= max + 1e-12,
                "{}: p95 {} outside [{}, {}]",
                name,
                p95,
                min,
                max
            );
        }
        // online_mean: every peer without churn, at most every peer with it.
        if churn {
            prop_assert!(
                m.online_mean >= 0.0 && m.online_mean <= peers as f64 + 1e-9,
                "{}: online_mean {}",
                name,
                m.online_mean
            );
        } else {
            prop_assert_eq!(
                m.online_mean,
                peers as f64,
                "{}: online_mean without churn",
                name
            );
            prop_assert_eq!(m.lost_messages, 0, "{}: messages lost without churn", name);
            prop_assert_eq!(m.fail_lost, 0, "{}: queries lost without churn", name);
        }
        if s.network.capacity.is_none() && !is_server(st) {
            prop_assert_eq!(m.dropped_messages, 0, "{}: drops without queues", name);
        }
        // Timeouts: no success arrives later than the timeout; without one, no query times out.
        match st.timeout {
            Some(t) => {
                let t_us = secs_to_us(t);
                for r in &successes {
                    prop_assert!(
                        r.latency_us.unwrap_or(0) <= t_us,
                        "{}: query {} succeeded after the timeout",
                        name,
                        r.index
                    );
                }
            }
            None => prop_assert_eq!(m.fail_timeout, 0, "{}: timeouts without a timeout", name),
        }
        // Hops of the first hit within the TTL (a two-tier overlay's last hop to a leaf needs no TTL).
        let leaf_hop = u32::from(two_tier);
        let max_hops = match &kind(st) {
            StrategyKind::Flooding { ttl } => ttl + leaf_hop,
            StrategyKind::ExpandingRing { ttls, .. } => {
                ttls.last().copied().unwrap_or(0) + leaf_hop
            }
            StrategyKind::RandomWalk { ttl, .. } => *ttl,
            StrategyKind::ClientServer { .. } => 1,
        };
        for r in &successes {
            let h = r.hops.unwrap_or(0);
            prop_assert!(
                h >= 1 && h <= max_hops,
                "{}: query {} found at {} hops (at most {})",
                name,
                r.index,
                h,
                max_hops
            );
        }
        for r in q {
            prop_assert!(
                r.reached < peers as u64,
                "{}: query {} reached {} of {} peers",
                name,
                r.index,
                r.reached,
                peers
            );
        }
        // Load: every message sent is processed by its receiver (its load), dropped, or lost to churn.
        let nodes = peers
            + match kind(st) {
                StrategyKind::ClientServer { servers, .. } => servers,
                _ => 0,
            };
        let total_load = m.load_mean * nodes as f64;
        let processed_max = (m.messages - m.dropped_messages) as f64;
        if churn {
            let processed_min =
                m.messages
                    .saturating_sub(m.dropped_messages + m.lost_messages) as f64;
            prop_assert!(
                total_load <= processed_max + 1e-6 * processed_max.max(1.0)
                    && total_load >= processed_min - 1e-6 * processed_min.max(1.0),
                "{}: total load {} outside [{}, {}]: {}",
                name,
                total_load,
                processed_min,
                processed_max,
                figures(m)
            );
        } else {
            prop_assert!(
                close(total_load, processed_max),
                "{}: total load {} != messages - dropped {}: {}",
                name,
                total_load,
                processed_max,
                figures(m)
            );
        }
        prop_assert!(
            m.load_mean <= m.load_max + 1e-9 && m.load_p99 <= m.load_max,
            "{}: load_mean {} load_p99 {} load_max {}",
            name,
            m.load_mean,
            m.load_p99,
            m.load_max
        );
        let gini_max = (nodes as f64 - 1.0) / nodes as f64;
        prop_assert!(
            m.load_gini >= -1e-12 && m.load_gini <= gini_max + 1e-9,
            "{}: load_gini {}",
            name,
            m.load_gini
        );
        if let Some(u) = &ran.world.ultrapeers {
            let ups = u.iter().filter(|&&x| x).count() as f64;
            let leaves = peers as f64 - ups;
            let split = m.load_mean_ultrapeer.unwrap_or(f64::NAN) * ups
                + m.load_mean_leaf.unwrap_or(0.0) * leaves;
            if !is_server(st) {
                prop_assert!(
                    close(split, total_load),
                    "{}: ultrapeer + leaf load {} != total {}",
                    name,
                    split,
                    total_load
                );
            }
            prop_assert!(
                m.load_max_ultrapeer.unwrap_or(f64::NAN) <= m.load_max
                    && m.load_max_leaf.unwrap_or(0.0) <= m.load_max
            );
        } else {
            prop_assert_eq!(m.load_mean_ultrapeer, None);
        }
        if let Some(&(share, load)) = out.lorenz.last()
            && total_load > 0.0
        {
            prop_assert!(
                close(share, 1.0) && close(load, 1.0),
                "{}: Lorenz curve ends at ({}, {})",
                name,
                share,
                load
            );
        }
        prop_assert!(
            out.lorenz.windows(2).all(|w| w[0].1 <= w[1].1 + 1e-12),
            "{}: Lorenz curve decreases",
            name
        );
        // The timeseries counts every query by its issue time, warmup included.
        let bucket_queries: u64 = out.timeseries.iter().map(|b| b.queries).sum();
        let bucket_successes: u64 = out.timeseries.iter().map(|b| b.successes).sum();
        if s.warmup == 0.0 {
            prop_assert_eq!(bucket_queries, m.queries, "{}: timeseries queries", name);
            prop_assert_eq!(
                bucket_successes,
                m.successes,
                "{}: timeseries successes",
                name
            );
        } else {
            prop_assert!(
                bucket_queries >= m.queries && bucket_successes >= m.successes,
                "{}: timeseries counts fewer than runs.csv",
                name
            );
        }
        if !churn {
            for b in &out.timeseries {
                prop_assert_eq!(b.online_peers, peers as f64);
            }
        }
        // With one constant latency L and no queues, a flood's first hit comes back over the query's path:
        // latency = 2 x hops x L, plus, for a ring, the waits before the ring that found it.
        if let Some(l) = constant_latency {
            for r in &successes {
                let (h, lat) = (r.hops.unwrap_or(0) as u64, r.latency_us.unwrap_or(0));
                match &kind(st) {
                    StrategyKind::Flooding { .. } => {
                        prop_assert_eq!(lat, 2 * h * l, "{}: query {} at {} hops", name, r.index, h)
                    }
                    StrategyKind::ExpandingRing { ttls, ring_wait } => {
                        let wait = secs_to_us(*ring_wait);
                        let extra = lat.checked_sub(2 * h * l);
                        prop_assert!(
                            extra.is_some_and(
                                |e| e % wait == 0 && ((e / wait) as usize) < ttls.len()
                            ),
                            "{}: query {} at {} hops took {} us (latency {} us, rings every {} us)",
                            name,
                            r.index,
                            h,
                            lat,
                            l,
                            wait
                        );
                    }
                    StrategyKind::RandomWalk { check_every, .. } => {
                        // `h` steps out, a round trip per check before the find, at most `h` hops back.
                        let checks = if *check_every == 0 {
                            0
                        } else {
                            (h - 1) / *check_every as u64
                        };
                        let out_and_checks = (h + 2 * checks) * l;
                        prop_assert!(
                            lat % l == 0 && lat > out_and_checks && lat <= out_and_checks + h * l,
                            "{}: query {} found after {} steps took {} us (latency {} us)",
                            name,
                            r.index,
                            h,
                            lat,
                            l
                        );
                    }
                    StrategyKind::ClientServer { .. } => {
                        prop_assert!(lat >= 2 * l, "{}: an answer faster than a round trip", name)
                    }
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Traces: one query hop by hop, against its run and against the churn schedule
// ---------------------------------------------------------------------------------------------------------------

/// Up to three measured queries of the run to trace (the first, one a third in, one two thirds in).
fn picks(records: &[QueryRecord]) -> Vec<&QueryRecord> {
    let n = records.len();
    let mut idx = vec![0, n / 3, 2 * n / 3];
    idx.dedup();
    idx.into_iter()
        .filter(|&i| i < n)
        .map(|i| &records[i])
        .collect()
}

fn trace(ran: &Ran, st: &Strat, index: u64) -> Result<TracedQuery, TestCaseError> {
    gnutsim::strategies::trace_query(&ran.s, st, &ran.world, index).ok_or_else(|| {
        TestCaseError::fail(format!("strategy {}: query {index} has no trace", st.name))
    })
}

fn fates(t: &TracedQuery) -> String {
    let mut v: Vec<String> = t
        .hops
        .iter()
        .map(|h| {
            format!(
                "{:?}@{}us {}->{} {:?}",
                h.kind,
                h.arrived_us.unwrap_or(h.sent_us),
                h.from,
                h.to,
                h.fate
            )
        })
        .collect();
    if v.len() > 30 {
        let tail = v.split_off(v.len() - 20);
        v.truncate(10);
        v.push("...".into());
        v.extend(tail);
    }
    v.join("; ")
}

/// The traced messages to or from `peer`.
fn fates_at(t: &TracedQuery, peer: u32) -> String {
    let only = TracedQuery {
        hops: t
            .hops
            .iter()
            .filter(|h| h.to == peer || h.from == peer)
            .cloned()
            .collect(),
        ..t.clone()
    };
    fates(&only)
}

/// A traced query is the same query as in its run: outcome, first hit, peers reached and its messages.
fn a_trace_agrees_with_its_run(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    for (st, out) in ran.s.strategies.iter().zip(&ran.runs) {
        for r in picks(&out.queries) {
            let t = trace(&ran, st, r.index)?;
            let name = &st.name;
            prop_assert_eq!(
                t.outcome,
                Some(r.outcome),
                "{}: query {} outcome",
                name,
                r.index
            );
            prop_assert_eq!(t.reached, r.reached, "{}: query {} reached", name, r.index);
            prop_assert_eq!(
                t.first_hit,
                r.hops.zip(r.latency_us),
                "{}: query {} first hit",
                name,
                r.index
            );
            prop_assert_eq!(
                t.hops.len() as u64,
                r.messages,
                "{}: query {} messages",
                name,
                r.index
            );
            prop_assert!(
                t.hops.iter().all(|h| h.fate != Fate::InFlight),
                "{}: query {} ended with messages in flight",
                name,
                r.index
            );
            let has = |fate: Fate| t.hops.iter().any(|h| h.fate == fate);
            match r.outcome {
                Outcome::Success => prop_assert!(
                    has(Fate::HitAtSource),
                    "{}: query {} succeeded without a hit at the source: {}",
                    name,
                    r.index,
                    fates(&t)
                ),
                Outcome::Dropped => prop_assert!(
                    has(Fate::Dropped),
                    "{}: query {} failed as dropped without a dropped message: {}",
                    name,
                    r.index,
                    fates(&t)
                ),
                _ => {}
            }
        }
    }
    Ok(())
}

/// The mean degree of a degree range [min, max] (min 1 to 3) nearest `want`: on a small network not every mean
/// is reachable by a power law on whole degrees, and an unreachable `mean_degree` is an error (issue 17, item 2).
fn reachable_mean(exponent: f64, want: f64, max_degree: u32) -> f64 {
    let mean = |lo: u32, hi: u32| {
        let (mut z, mut m) = (0.0, 0.0);
        for k in lo..=hi {
            let p = (k as f64).powf(-exponent);
            z += p;
            m += k as f64 * p;
        }
        m / z
    };
    let mut best = 1.0;
    for lo in 1..=3.min(max_degree) {
        for hi in lo..=max_degree {
            let m = mean(lo, hi);
            if (m - want).abs() < (best - want).abs() {
                best = m;
            }
        }
    }
    best
}

/// A query that failed as lost shows the message that was lost (issue 17, item 4), or that its source had left
/// when one of its timers fired (a ring that could not widen).
fn a_lost_query_shows_its_lost_message(toml: &str) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    for (st, out) in ran.s.strategies.iter().zip(&ran.runs) {
        for r in out
            .queries
            .iter()
            .filter(|r| r.outcome == Outcome::Lost)
            .take(3)
        {
            let t = trace(&ran, st, r.index)?;
            prop_assert!(
                t.hops.iter().any(|h| h.fate == Fate::Lost) || t.abandoned_us.is_some(),
                "{}: query {} failed as lost, yet no message of its trace is lost: {}",
                st.name,
                r.index,
                fates(&t)
            );
        }
    }
    Ok(())
}

/// What a leaving peer's closed links imply (issue 17, item 3), one rule per property.
#[derive(Clone, Copy, PartialEq)]
enum LeaveRule {
    /// No message in flight to a peer that leaves arrives, even if the peer is back by then.
    ToALeavingPeerIsLost,
    /// No message in flight from a peer that leaves arrives.
    FromALeavingPeerIsLost,
    /// A peer that leaves forgets the queries it saw: it cannot take a later copy of one as a duplicate.
    ALeavingPeerForgetsItsQueries,
}

/// Checks `rule` on traced queries of a run under churn, against the churn schedule.
fn churn_closes_a_leaving_peers_links(toml: &str, rule: LeaveRule) -> Result<(), TestCaseError> {
    let ran = run(toml)?;
    let Some(churn) = &ran.world.churn else {
        return Ok(());
    };
    let peers = ran.s.network.peers;
    let mut leaves: Vec<Vec<u64>> = vec![Vec::new(); peers as usize];
    for e in &churn.schedule.events {
        if !e.join {
            leaves[e.peer as usize].push(e.time_us);
        }
    }
    // When `peer` left strictly between `a` and `b` (ties at the ends are left to the event order).
    let left_between = |peer: u32, a: u64, b: u64| -> Option<u64> {
        if peer >= peers {
            return None; // a server
        }
        let l = &leaves[peer as usize];
        let i = l.partition_point(|&t| t <= a);
        l.get(i).copied().filter(|&t| t < b)
    };
    for (st, out) in ran.s.strategies.iter().zip(&ran.runs) {
        for r in picks(&out.queries) {
            let t = trace(&ran, st, r.index)?;
            for h in &t.hops {
                let Some(arrived) = h.arrived_us else {
                    continue;
                };
                if matches!(h.fate, Fate::Lost | Fate::Dropped) {
                    continue;
                }
                let (who, peer) = match rule {
                    LeaveRule::ToALeavingPeerIsLost => ("receiver", h.to),
                    // With peer capacity a trace's arrival is when the message was processed: it may have
                    // arrived, and waited in the receiver's queue, before its sender left.
                    LeaveRule::FromALeavingPeerIsLost if ran.s.network.capacity.is_some() => {
                        continue;
                    }
                    LeaveRule::FromALeavingPeerIsLost => ("sender", h.from),
                    LeaveRule::ALeavingPeerForgetsItsQueries => {
                        if h.fate == Fate::Duplicate && h.to != t.source {
                            // An earlier copy of the query at this peer, in its current session (a dropper's
                            // first copy is swallowed).
                            let seen = t.hops.iter().any(|g| {
                                !std::ptr::eq(g, h)
                                    && g.to == h.to
                                    && g.kind.is_query()
                                    && matches!(
                                        g.fate,
                                        Fate::New | Fate::Duplicate | Fate::Swallowed
                                    )
                                    && g.arrived_us.is_some_and(|a| {
                                        a <= arrived && left_between(h.to, a, arrived).is_none()
                                    })
                            });
                            prop_assert!(
                                seen,
                                "{}: query {}: peer {} took a {:?} at {} us as a duplicate, but it had not seen the \
                                 query since it last left (it left at {:?} us); its messages: {}",
                                st.name,
                                r.index,
                                h.to,
                                h.kind,
                                arrived,
                                leaves[h.to as usize],
                                fates_at(&t, h.to)
                            );
                        }
                        continue;
                    }
                };
                let left = left_between(peer, h.sent_us, arrived);
                prop_assert!(
                    left.is_none(),
                    "{}: query {}: a {:?} sent at {} us from {} to {} arrived at {} us ({:?}), but its {} {} left \
                     at {} us while it was in flight",
                    st.name,
                    r.index,
                    h.kind,
                    h.sent_us,
                    h.from,
                    h.to,
                    arrived,
                    h.fate,
                    who,
                    peer,
                    left.unwrap_or(0)
                );
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// The property tests
// ---------------------------------------------------------------------------------------------------------------

const REPLICATING_P2P: Shape = Shape {
    replicate: true,
    server: false,
    ..ANY
};

const REPLICATING_INDEX: Shape = Shape {
    replicate: true,
    flood: false,
    ring: false,
    walk: false,
    ..ANY
};

const NO_CHURN_OR_QUEUES: Shape = Shape {
    churn: Some(false),
    capacity: false,
    ..ANY
};

const WALKS_ONLY: Shape = Shape {
    churn: Some(false),
    capacity: false,
    replicate: false,
    flood: false,
    ring: false,
    walk: true,
    server: false,
};

const FLOODS_WITHOUT_CHURN: Shape = Shape {
    churn: Some(false),
    walk: false,
    server: false,
    ..ANY
};

const CHURN: Shape = Shape {
    churn: Some(true),
    ..ANY
};

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn failure_reasons_add_up_to_queries_minus_successes(case in cases(ANY)) {
        failure_reasons_add_up(&case.toml())?;
    }

    #[test]
    fn query_messages_are_first_receipts_duplicates_lost_or_dropped(case in cases(ANY)) {
        query_messages_are_accounted_for(&case.toml())?;
    }

    #[test]
    fn messages_are_the_sum_over_queries_and_over_kinds(case in cases(ANY)) {
        messages_are_the_sum_over_queries_and_kinds(&case.toml())?;
    }

    #[test]
    fn derived_figures_follow_from_the_counts(case in cases(ANY)) {
        derived_figures_follow_from_counts(&case.toml())?;
    }

    #[test]
    fn without_queues_derived_figures_are_exact(case in cases(NO_CHURN_OR_QUEUES)) {
        derived_figures_follow_from_counts(&case.toml())?;
    }

    #[test]
    fn queries_follow_the_workload_and_the_content(case in cases(ANY)) {
        queries_follow_the_workload_and_content(&case.toml())?;
    }

    #[test]
    fn replication_on_hit_adds_the_copies_it_should(case in cases(REPLICATING_P2P)) {
        replication_adds_the_copies_it_should(&case.toml())?;
    }

    #[test]
    fn replication_on_hit_adds_the_copies_it_should_for_the_index(case in cases(REPLICATING_INDEX)) {
        replication_adds_the_copies_it_should(&case.toml())?;
    }

    #[test]
    fn flood_first_receipts_are_the_peers_reached(case in cases(FLOODS_WITHOUT_CHURN)) {
        flood_receipts_match_reach(&case.toml())?;
    }

    #[test]
    fn walker_steps_are_first_visits_or_duplicates(case in cases(WALKS_ONLY)) {
        walk_steps_are_first_visits_or_duplicates(&case.toml())?;
    }
}

proptest! {
    #![proptest_config(config(100))]

    #[test]
    fn a_traced_query_agrees_with_its_run(case in cases(ANY)) {
        a_trace_agrees_with_its_run(&case.toml())?;
    }

    #[test]
    fn a_lost_query_shows_the_message_it_lost(case in cases(CHURN)) {
        a_lost_query_shows_its_lost_message(&case.toml())?;
    }

    #[test]
    fn a_message_in_flight_to_a_peer_that_leaves_is_lost(case in cases(CHURN)) {
        churn_closes_a_leaving_peers_links(&case.toml(), LeaveRule::ToALeavingPeerIsLost)?;
    }

    #[test]
    fn a_message_in_flight_from_a_peer_that_leaves_is_lost(case in cases(CHURN)) {
        churn_closes_a_leaving_peers_links(&case.toml(), LeaveRule::FromALeavingPeerIsLost)?;
    }

    #[test]
    fn a_peer_that_leaves_forgets_the_queries_it_saw(case in cases(CHURN)) {
        churn_closes_a_leaving_peers_links(&case.toml(), LeaveRule::ALeavingPeerForgetsItsQueries)?;
    }
}

proptest! {
    #![proptest_config(config(40))]

    #[test]
    fn csv_output_is_the_same_at_one_and_two_threads(case in cases(ANY)) {
        output_does_not_depend_on_threads(&case.toml())?;
    }
}

#[test]
fn the_generator_makes_valid_and_varied_scenarios() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::new(config(1));
    let strategy = cases(ANY);
    let (mut churn, mut walks, mut two_tier, mut capacity) = (0, 0, 0, 0);
    for _ in 0..200 {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        let s = scenario::load_str(
            Path::new("g.toml"),
            &case.toml(),
            &[],
            gnutsim::strategies::KINDS,
        )
        .unwrap_or_else(|e| panic!("invalid generated scenario: {e}\n{}", case.toml()));
        churn += usize::from(s.churn.enabled);
        walks += s.strategies.iter().filter(|st| is_walk(st)).count();
        two_tier += usize::from(s.topology.kind.name() == "two-tier");
        capacity += usize::from(s.network.queue_limit.is_some());
    }
    assert!(
        churn > 50 && walks > 50 && two_tier > 10 && capacity > 10,
        "churn {churn}, walks {walks}, two-tier {two_tier}, queue limits {capacity} of 200"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Shrunk failing cases (proptest's "minimal failing input" before the fixes, with the fixed seed above): quick
// regression tests of each defect the properties found.
// ---------------------------------------------------------------------------------------------------------------

/// Fails `walker_steps_are_first_visits_or_duplicates`.
const REGRESSION_WALK_REVISITS: &str = r#"
seed = 0
replications = 1
duration = 10.0

[network]
peers = 10
latency = { dist = "constant", value = 0.005 }

[topology]
kind = "random"
mean_degree = 1.0

[content]
objects = 1
replication = "uniform"
replicas_mean = 0.3
popularity = { uniform = true }
replicate_on_hit = "none"

[workload]
query_rate = 0.03

[[strategy]]
name = "s0"
kind = "random-walk"
walkers = 1
ttl = 2
check_every = 0
bias = "uniform"

[output]
queries = true
"#;

#[test]
fn regression_walk_revisits() {
    if let Err(e) = walk_steps_are_first_visits_or_duplicates(REGRESSION_WALK_REVISITS) {
        panic!("{e}");
    }
}

/// Fails `a_message_in_flight_to_a_peer_that_leaves_is_lost`.
const REGRESSION_IN_FLIGHT_TO_A_LEAVER: &str = r#"
seed = 1964
replications = 1
duration = 44.0

[network]
peers = 97
latency = { dist = "uniform", min = 0.005, max = 0.199 }
latency_tick = 0.001
capacity = { dist = "uniform", min = 174.0, max = 360.0 }

[topology]
kind = "power-law"
exponent = 2.0
mean_degree = 4.37

[content]
objects = 22
replication = "uniform"
replicas_mean = 1.38
popularity = { zipf = 1.24 }
replicate_on_hit = "none"

[workload]
query_rate = 0.0295
issue_tick = 1.0

[churn]
session = { dist = "exponential", mean = 5.0 }
downtime = { dist = "exponential", mean = 0.02 }
initial_online = "stationary"
target_degree = 1
repair = false

[[strategy]]
name = "s0"
kind = "random-walk"
walkers = 1
ttl = 125
check_every = 0
bias = "uniform"

[output]
queries = true
"#;

#[test]
fn regression_in_flight_to_a_leaver() {
    if let Err(e) = churn_closes_a_leaving_peers_links(
        REGRESSION_IN_FLIGHT_TO_A_LEAVER,
        LeaveRule::ToALeavingPeerIsLost,
    ) {
        panic!("{e}");
    }
}

/// Fails `a_message_in_flight_from_a_peer_that_leaves_is_lost`.
const REGRESSION_IN_FLIGHT_FROM_A_LEAVER: &str = r#"
seed = 1540
replications = 1
duration = 10.0

[network]
peers = 10
latency = { dist = "constant", value = 0.228 }

[topology]
kind = "random"
mean_degree = 1.0

[content]
objects = 1
replication = "uniform"
replicas_mean = 0.3
popularity = { uniform = true }
replicate_on_hit = "none"

[workload]
query_rate = 0.03

[churn]
session = { dist = "exponential", mean = 5.0 }
downtime = { dist = "exponential", mean = 0.02 }
initial_online = "stationary"
target_degree = 1
repair = false

[[strategy]]
name = "s0"
kind = "random-walk"
walkers = 1
ttl = 15
check_every = 0
bias = "degree"

[output]
queries = true
"#;

#[test]
fn regression_in_flight_from_a_leaver() {
    if let Err(e) = churn_closes_a_leaving_peers_links(
        REGRESSION_IN_FLIGHT_FROM_A_LEAVER,
        LeaveRule::FromALeavingPeerIsLost,
    ) {
        panic!("{e}");
    }
}

/// Fails `a_peer_that_leaves_forgets_the_queries_it_saw`.
const REGRESSION_LEAVER_FORGETS: &str = r#"
seed = 73699
replications = 1
duration = 10.0

[network]
peers = 229
latency = { dist = "lognormal", median = 0.185, sigma = 0.1 }
capacity = { dist = "uniform", min = 5.0, max = 5.0 }

[topology]
kind = "small-world"
degree = 2
rewire = 0.888

[content]
objects = 17
replication = "uniform"
replicas_mean = 0.3
popularity = { uniform = true }
replicate_on_hit = "none"

[workload]
query_rate = 0.055
issue_tick = 1.0

[churn]
session = { dist = "exponential", mean = 5.0 }
downtime = { dist = "exponential", mean = 0.02 }
initial_online = "stationary"
target_degree = 2
repair = true

[[strategy]]
name = "s0"
kind = "flooding"
ttl = 4

[output]
queries = true
"#;

#[test]
fn regression_leaver_forgets() {
    if let Err(e) = churn_closes_a_leaving_peers_links(
        REGRESSION_LEAVER_FORGETS,
        LeaveRule::ALeavingPeerForgetsItsQueries,
    ) {
        panic!("{e}");
    }
}

/// Fails `a_lost_query_shows_the_message_it_lost`.
const REGRESSION_LOST_HIT_IN_TRACE: &str = r#"
seed = 352530
replications = 1
duration = 86.0

[network]
peers = 103
latency = { dist = "uniform", min = 0.005, max = 0.206 }

[topology]
kind = "random"
mean_degree = 5.0

[content]
objects = 18
replication = "uniform"
replicas_mean = 0.751
popularity = { uniform = true }
replicate_on_hit = "none"

[workload]
query_rate = 0.000339

[churn]
session = { dist = "weibull", shape = 1.45, scale = 186.0 }
downtime = { dist = "exponential", mean = 1.1 }
initial_online = "stationary"
target_degree = 3
repair = true

[[strategy]]
name = "s0"
kind = "random-walk"
walkers = 5
ttl = 58
check_every = 5
bias = "degree"

[output]
queries = true
"#;

#[test]
fn regression_lost_hit_in_trace() {
    if let Err(e) = a_lost_query_shows_its_lost_message(REGRESSION_LOST_HIT_IN_TRACE) {
        panic!("{e}");
    }
}

/// Fails `replication_on_hit_adds_the_copies_it_should_for_the_index`.
const REGRESSION_INDEX_PATH_REPLICATION: &str = r#"
seed = 0
replications = 1
duration = 10.0

[network]
peers = 10
latency = { dist = "constant", value = 0.005 }

[topology]
kind = "random"
mean_degree = 1.0

[content]
objects = 1
replication = "uniform"
replicas_mean = 3.96
popularity = { uniform = true }
replicate_on_hit = "path"

[workload]
query_rate = 0.03

[[strategy]]
name = "s0"
kind = "client-server"
servers = 1
service_rate = 0.5

[output]
queries = true
"#;

#[test]
fn regression_index_path_replication() {
    if let Err(e) = replication_adds_the_copies_it_should(REGRESSION_INDEX_PATH_REPLICATION) {
        panic!("{e}");
    }
}

//! The validated scenario: what `run` simulates. Built from the file by [`load`] (parse, apply `--set`,
//! validate); nothing outside `validate.rs` rejects input.

pub mod files;
pub mod overrides;
pub mod reader;
pub mod resolved;
pub mod strategy;
pub mod sweep;
pub mod tree;
pub mod units;
pub mod validate;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use strategy::{KeyValue, Strategy, StrategyDef, StrategySpec};

use crate::dist::Dist;
use crate::error::{Origin, ScenarioError};

/// A scenario ready to run: every default filled in, every value checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The scenario file (relative paths inside it are relative to its folder).
    pub file: PathBuf,
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub replications: u32,
    /// Seconds of workload: queries are issued during [0, duration).
    pub duration: f64,
    /// Seconds at the start that metrics ignore.
    pub warmup: f64,
    pub network: Network,
    pub topology: Topology,
    pub content: Content,
    pub workload: Workload,
    pub churn: Churn,
    /// `[adversaries]`: the bad peers; `None` when the table is absent (every peer behaves).
    pub adversaries: Option<Adversaries>,
    pub strategies: Vec<Strategy>,
    pub output: Output,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub peers: u32,
    /// One-way delay of every message, seconds.
    pub latency: Dist,
    /// Clock tick of message latencies, seconds (a whole number of microseconds): each drawn latency is rounded
    /// to whole ticks, at least one. `None` = the engine's microsecond clock.
    pub latency_tick: Option<f64>,
    /// Messages per second a peer processes (drawn once per peer); `None` = unlimited.
    pub capacity: Option<Dist>,
    /// Messages that may wait at a peer before it drops new ones; `None` = unbounded.
    pub queue_limit: Option<u32>,
    /// A peer's upload bandwidth, bits per second (drawn once per peer); `None` = unlimited: a message leaves
    /// at once.
    pub upload: Option<Dist>,
    /// Bytes of a whole message on the wire, per wire kind.
    pub message_bytes: MessageBytes,
    /// Whether `message_bytes` was given: peers' upload is then counted one by one (`upload_kbps_max`).
    pub message_bytes_given: bool,
}

/// Bytes of a whole message on the wire (header included), per wire kind. Defaults from the Gnutella 0.6 wire
/// format: a 23-byte descriptor header (16-byte GUID, type, TTL, hops, 4-byte payload length) and its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageBytes {
    /// Query: header + 2-byte minimum speed + a 30-character search string and its NUL = 56.
    pub query: u32,
    /// QueryHit with one result: header + 11 (hit count, port, IPv4, speed) + 40 (file index, size, a 30-character
    /// name, two NULs) + 7 (trailer: vendor code, open-data size, 2 bytes of open data) + 16 (servent GUID) = 97.
    pub hit: u32,
    /// A walker's check with its source, and the answer: a header-only descriptor, as a Ping = 23.
    pub check: u32,
    /// A request to the central index: the query it carries = 56.
    pub request: u32,
    /// The index's answer: hit-sized = 97.
    pub answer: u32,
    /// An announcement (Bitcoin's inv with one item: 24-byte header, count, 36-byte inventory vector) = 61.
    pub inv: u32,
    /// A request for an announced payload (Bitcoin's getdata, as inv) = 61.
    pub getdata: u32,
}

impl Default for MessageBytes {
    fn default() -> Self {
        MessageBytes {
            query: 56,
            hit: 97,
            check: 23,
            request: 56,
            answer: 97,
            inv: 61,
            getdata: 61,
        }
    }
}

impl MessageBytes {
    /// The bytes of a message of `kind` on the wire; a broadcast's payload is `payload` bytes (its strategy's
    /// `payload_bytes`), whole, as SPEC's star check counts it.
    pub fn of(&self, kind: crate::results::kinds::MsgKind, payload: u64) -> u64 {
        use crate::results::kinds::MsgKind as K;
        u64::from(match kind {
            K::Query | K::Walk => self.query,
            K::Hit | K::WalkHit | K::FakeHit => self.hit,
            K::Check | K::CheckGo | K::CheckStop => self.check,
            K::Request => self.request,
            K::AnswerHit | K::AnswerMiss => self.answer,
            K::Inv => self.inv,
            K::GetData => self.getdata,
            K::Payload => return payload,
        })
    }

    /// Sizes by [`crate::results::kinds::MsgKind`] discriminant, for a strategy whose payload is `payload` bytes.
    pub fn by_kind(&self, payload: u64) -> [u64; crate::results::kinds::MSG_KINDS] {
        crate::results::kinds::MsgKind::ALL.map(|k| self.of(k, payload))
    }

    /// The kinds as `network.message_bytes` names them, with their sizes.
    pub fn entries(&self) -> [(&'static str, u32); 7] {
        [
            ("query", self.query),
            ("hit", self.hit),
            ("check", self.check),
            ("request", self.request),
            ("answer", self.answer),
            ("inv", self.inv),
            ("getdata", self.getdata),
        ]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    pub kind: TopologyKind,
    /// Name of the topology in sweep columns (defaults to the kind).
    pub label: Option<String>,
    /// The links of an `edgelist` topology's file, read once by validation (shared by every copy of the
    /// scenario); `None` for the other kinds.
    pub edge_list: Option<Arc<files::EdgeList>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TopologyKind {
    /// Erdős–Rényi G(n, m) with m = round(n * mean_degree / 2).
    Random { mean_degree: f64 },
    /// A uniformly random simple `degree`-regular graph.
    Regular { degree: u32 },
    /// Power-law degrees: i.i.d. from P(k) ~ k^-exponent on [min_degree, max_degree], wired by the configuration
    /// model into a simple graph that keeps every drawn degree (self-loops and repeated links re-paired).
    PowerLaw {
        exponent: f64,
        degrees: PowerLawDegrees,
    },
    /// Barabási–Albert preferential attachment, `m` links per new peer.
    BarabasiAlbert { m: u32 },
    /// Watts–Strogatz: ring lattice of even `degree`, each link rewired with probability `rewire`.
    SmallWorld { degree: u32, rewire: f64 },
    /// Gnutella 0.6 ultrapeers and leaves.
    TwoTier {
        ultrapeer_share: f64,
        ultrapeer_degree: u32,
        leaf_links: u32,
    },
    /// Links read from a file (path as written, resolved against the scenario's folder).
    EdgeList { path: PathBuf },
}

/// How a power-law topology fixes its degree range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PowerLawDegrees {
    /// The range as written (defaults 2 and peers - 1).
    Range { min_degree: u32, max_degree: u32 },
    /// `mean_degree` asked for: validation solved the range so that the truncated power law on it has that
    /// mean (within 3%; see [`crate::dist::powerlaw::solve_for_mean`]). `min_given` and `max_given` say
    /// which bounds the file fixed: the resolved scenario writes back only those (and the solved range as a
    /// comment), so it solves the same way when read again, also when a sweep changes `mean_degree`.
    Mean {
        mean_degree: f64,
        min_degree: u32,
        max_degree: u32,
        min_given: bool,
        max_given: bool,
    },
}

impl PowerLawDegrees {
    /// The degree range the generator draws from.
    pub fn range(&self) -> (u32, u32) {
        match *self {
            PowerLawDegrees::Range {
                min_degree,
                max_degree,
            }
            | PowerLawDegrees::Mean {
                min_degree,
                max_degree,
                ..
            } => (min_degree, max_degree),
        }
    }
}

impl TopologyKind {
    /// How many of `peers` peers are ultrapeers (`None`: the overlay has no tiers).
    pub fn ultrapeers(&self, peers: u32) -> Option<u32> {
        match *self {
            TopologyKind::TwoTier {
                ultrapeer_share, ..
            } => Some(ultrapeer_count(peers, ultrapeer_share)),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            TopologyKind::Random { .. } => "random",
            TopologyKind::Regular { .. } => "regular",
            TopologyKind::PowerLaw { .. } => "power-law",
            TopologyKind::BarabasiAlbert { .. } => "barabasi-albert",
            TopologyKind::SmallWorld { .. } => "small-world",
            TopologyKind::TwoTier { .. } => "two-tier",
            TopologyKind::EdgeList { .. } => "edgelist",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Content {
    pub objects: u32,
    pub replication: Placement,
    pub replicas_mean: f64,
    pub popularity: Popularity,
    pub replicate_on_hit: ReplicateOnHit,
}

impl Content {
    /// The content of a scenario of broadcasts alone, which gives none: one object with one copy (broadcasts ask
    /// for no object, so it changes nothing they measure).
    pub fn placeholder() -> Content {
        Content {
            objects: 1,
            replication: Placement::Uniform,
            replicas_mean: 1.0,
            popularity: Popularity::Uniform,
            replicate_on_hit: ReplicateOnHit::None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Every object gets `replicas_mean` copies (floor, plus one more with the fractional part's probability).
    Uniform,
    /// Copies in proportion to query popularity.
    Proportional,
    /// Copies in proportion to the square root of query popularity.
    SquareRoot,
}

impl Placement {
    pub fn name(&self) -> &'static str {
        match self {
            Placement::Uniform => "uniform",
            Placement::Proportional => "proportional",
            Placement::SquareRoot => "square-root",
        }
    }
}

/// Who keeps a copy after a successful query (Lv et al.'s owner and path replication).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicateOnHit {
    None,
    Owner,
    Path,
}

impl ReplicateOnHit {
    pub fn name(&self) -> &'static str {
        match self {
            ReplicateOnHit::None => "none",
            ReplicateOnHit::Owner => "owner",
            ReplicateOnHit::Path => "path",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Popularity {
    Uniform,
    /// P(object of rank i) proportional to i^-s, ranks from 1.
    Zipf(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// Queries per online peer per second (Poisson).
    pub query_rate: f64,
    /// Clock tick of query issue times, seconds: each is rounded down to a whole number of ticks (None: 1 us).
    pub issue_tick: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Churn {
    pub enabled: bool,
    /// Session (online) lengths, seconds.
    pub session: Dist,
    /// Downtime (offline) lengths, seconds.
    pub downtime: Dist,
    pub initial_online: InitialOnline,
    /// Links a (re)joining peer opens to random online peers.
    pub target_degree: u32,
    /// With `repair`, a peer whose degree falls below this opens new links.
    pub min_degree: u32,
    pub repair: bool,
    /// Trace-driven churn: rows `peer,time,event` (path as written, resolved against the scenario's folder).
    pub trace: Option<PathBuf>,
    /// That trace, read once by validation (shared by every copy of the scenario).
    pub trace_data: Option<Arc<files::ChurnTrace>>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InitialOnline {
    /// Each peer starts online with this probability, at the start of a session or downtime.
    Fraction(f64),
    /// Each peer starts online with probability E[S]/(E[S]+E[D]), in the middle of a session or downtime whose
    /// remaining length follows the equilibrium (residual-life) distribution.
    Stationary,
}

impl Churn {
    /// Churn switched off (every peer online throughout).
    pub fn disabled() -> Churn {
        Churn {
            enabled: false,
            session: Dist::Exponential { mean: 3600.0 },
            downtime: Dist::Exponential { mean: 3600.0 },
            initial_online: InitialOnline::Stationary,
            target_degree: 4,
            min_degree: 2,
            repair: true,
            trace: None,
            trace_data: None,
        }
    }
}

/// Whether some strategy searches for an object: false for broadcasts alone, which need no `[content]` and issue
/// every arrival at an online peer.
pub fn any_searches(strategies: &[Strategy]) -> bool {
    strategies.iter().any(|s| s.spec.searches())
}

/// Ultrapeers of a two-tier overlay of `peers` peers (as `topology::two_tier` makes them).
pub fn ultrapeer_count(peers: u32, share: f64) -> u32 {
    ((peers as f64 * share).round() as u32).max(2).min(peers)
}

/// Bad actors: shares of the peers of the placement's pool (disjoint; they add up to at most 1), drawn per
/// replication from their own stream, so that every strategy meets the same bad peers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adversaries {
    /// Peers that hold no copies (the copies go to the other peers) but ask and forward like anyone.
    pub free_riders: f64,
    /// Peers that swallow every message of other peers' queries: never forward, never answer.
    pub droppers: f64,
    /// Peers that answer every query or walker with a fake hit (never a genuine one) and forward as usual.
    pub polluters: f64,
    pub placement: AdversaryPlacement,
}

/// Which peers may be bad: any, or only one tier of a two-tier overlay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdversaryPlacement {
    Uniform,
    Ultrapeers,
    Leaves,
}

impl AdversaryPlacement {
    pub fn name(self) -> &'static str {
        match self {
            AdversaryPlacement::Uniform => "uniform",
            AdversaryPlacement::Ultrapeers => "ultrapeers",
            AdversaryPlacement::Leaves => "leaves",
        }
    }

    /// Size of the pool bad actors are drawn from, on an overlay of `peers` peers of which `ultrapeers` are
    /// ultrapeers.
    pub fn pool_size(self, peers: u32, ultrapeers: u32) -> u32 {
        match self {
            AdversaryPlacement::Uniform => peers,
            AdversaryPlacement::Ultrapeers => ultrapeers,
            AdversaryPlacement::Leaves => peers - ultrapeers,
        }
    }
}

impl Adversaries {
    /// Peers left to hold copies on an overlay of `peers` peers, `ultrapeers` of them ultrapeers: all but the
    /// free riders.
    pub fn copy_holders(&self, peers: u32, ultrapeers: u32) -> u32 {
        peers - self.boundaries(self.placement.pool_size(peers, ultrapeers))[0]
    }

    /// Where the roles end in a shuffled pool of `pool` peers: free riders before the first boundary, droppers
    /// before the second, polluters before the third. Cumulative shares are rounded, not each share, so the three
    /// never overlap nor overrun the pool.
    pub fn boundaries(&self, pool: u32) -> [u32; 3] {
        let at = |share: f64| ((share * pool as f64).round() as u32).min(pool);
        let f = at(self.free_riders);
        let d = at(self.free_riders + self.droppers).max(f);
        let p = at(self.free_riders + self.droppers + self.polluters).max(d);
        [f, d, p]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// Timeseries bucket width, seconds.
    pub bucket: f64,
    /// Write queries.csv.
    pub queries: bool,
}

impl Scenario {
    /// Folder that relative paths inside the scenario are relative to.
    pub fn base_dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }

    /// Peers that may hold copies: all but the free riders (`[adversaries]`).
    pub fn may_hold_copies(&self) -> u32 {
        let n = self.network.peers;
        match &self.adversaries {
            Some(a) => a.copy_holders(n, self.topology.kind.ultrapeers(n).unwrap_or(0)),
            None => n,
        }
    }

    /// Expected number of queries of one run that runs.csv counts: those issued at or after `warmup`.
    ///
    /// Arrivals come at peers x query_rate per second over [0, duration); one counts when its source is online
    /// (churn), lacks some object (a peer holding every object asks nothing; a scenario of broadcasts alone asks
    /// for none, so every arrival at an online peer counts), and its issue time (rounded down to
    /// `workload.issue_tick`) is at or after `warmup`. So it is query_rate x P(a peer lacks some object) x the
    /// expected peer-seconds online over [warmup, duration) (see [`Scenario::expected_queries_in`]).
    pub fn expected_queries(&self) -> f64 {
        // An arrival at t counts when its issue time floor(t / tick) x tick is >= warmup, i.e. from warmup rounded
        // up to the tick.
        let tick_us = self
            .workload
            .issue_tick
            .map_or(1, crate::dist::secs_to_us)
            .max(1);
        let from_us = crate::dist::secs_to_us(self.warmup).div_ceil(tick_us) * tick_us;
        self.expected_queries_in(from_us as f64 / 1e6, self.duration)
    }

    /// Expected queries issued in [a, b) seconds of one run (a within [0, duration]), measured or not.
    ///
    /// - Online peer-seconds: every peer throughout without churn; with a churn trace, its own online count; with
    ///   session and downtime distributions, [`crate::dist::renewal::expected_online_time`] (the stationary
    ///   share throughout for a stationary start; from a given initial share, the alternating renewal process's
    ///   transient).
    /// - Copies are placed independently per object on distinct peers, so a peer holds object o with probability
    ///   E[copies of o] / peers = min(target, peers - 1) / peers, and every object with the product of those.
    ///   Free riders hold nothing: the copies sit on the H other peers, each holding o with probability
    ///   min(target, peers - 1, H) / H.
    ///   Copies made by `replicate_on_hit` during the run are not counted (with few objects they can make a few
    ///   more peers hold all of them).
    pub fn expected_queries_in(&self, a: f64, b: f64) -> f64 {
        let n = self.network.peers;
        let b = b.min(self.duration);
        let a = a.clamp(0.0, b);
        let c = &self.churn;
        let online_seconds = if !c.enabled {
            n as f64 * (b - a)
        } else if c.trace.is_some() {
            match &c.trace_data {
                Some(trace) => {
                    let (a_us, b_us) = (crate::dist::secs_to_us(a), crate::dist::secs_to_us(b));
                    trace.online_mean(a_us, b_us) * (b - a)
                }
                // Not read (a scenario built by hand): the estimate takes everyone online.
                None => n as f64 * (b - a),
            }
        } else {
            n as f64
                * crate::dist::renewal::expected_online_time(
                    &c.session,
                    &c.downtime,
                    match c.initial_online {
                        InitialOnline::Fraction(p0) => Some(p0),
                        InitialOnline::Stationary => None,
                    },
                    a,
                    b,
                )
        };
        if !any_searches(&self.strategies) {
            // Broadcasts ask for no object: every arrival at an online peer is issued.
            return self.workload.query_rate * online_seconds;
        }
        let weights =
            crate::content::popularity_weights(self.content.objects, self.content.popularity);
        // Free riders hold nothing: the copies sit on the `holders` other peers.
        let holders = self.may_hold_copies() as f64;
        let holds_all: f64 = holders / n as f64
            * crate::content::copy_targets(
                self.content.replication,
                self.content.replicas_mean,
                &weights,
                n,
            )
            .iter()
            .map(|&t| t.min((n - 1) as f64).min(holders) / holders)
            .product::<f64>();
        self.workload.query_rate * (1.0 - holds_all) * online_seconds
    }
}

/// Reads, overrides and validates a scenario file, expanding its `[sweep]` into points.
pub fn load_plan(
    path: &Path,
    sets: &[String],
    kinds: &[StrategyDef],
) -> Result<sweep::Plan, ScenarioError> {
    let text = read_text(path)?;
    load_plan_str(path, &text, sets, kinds)
}

/// As [`load_plan`], from text already read (`path` names it in errors and anchors relative paths).
pub fn load_plan_str(
    path: &Path,
    text: &str,
    sets: &[String],
    kinds: &[StrategyDef],
) -> Result<sweep::Plan, ScenarioError> {
    let mut doc = tree::parse_document(path, text)?;
    for set in sets {
        overrides::apply_set(path, &mut doc, set)?;
    }
    sweep::expand(path, &doc, kinds)
}

/// Reads, overrides and validates a scenario file, ignoring any `[sweep]` (the base scenario).
pub fn load(
    path: &Path,
    sets: &[String],
    kinds: &[StrategyDef],
) -> Result<Scenario, ScenarioError> {
    let text = read_text(path)?;
    load_str(path, &text, sets, kinds)
}

/// The scenario file's text, or an error naming it.
fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let text = std::fs::read(path).map_err(|e| {
        ScenarioError::new(
            path,
            Origin::Default,
            "",
            format!("cannot read the scenario file: {e}"),
        )
    })?;
    let text = String::from_utf8(text).map_err(|_| {
        ScenarioError::new(
            path,
            Origin::Default,
            "",
            "this is a binary file, not a TOML scenario (it is not UTF-8 text)",
        )
    })?;
    Ok(text)
}

/// As [`load`], from text already read (`path` names it in errors and anchors relative paths).
pub fn load_str(
    path: &Path,
    text: &str,
    sets: &[String],
    kinds: &[StrategyDef],
) -> Result<Scenario, ScenarioError> {
    let mut doc = tree::parse_document(path, text)?;
    for set in sets {
        overrides::apply_set(path, &mut doc, set)?;
    }
    validate::validate(path, &doc, kinds)
}

//! Measurements of one run: the engine feeds a [`recorder::Recorder`]; the pure statistics live in [`stats`].
//! Nothing here formats output.

pub mod coverage;
pub mod recorder;
pub mod stats;
mod touched;

/// How a query ended. Failure reasons are exclusive and checked in this order: a query with no online copy is
/// `NoCopy`; else one that a fake hit satisfied (within the timeout) is `Fooled`; else one whose first hit came
/// after the timeout is `Timeout`; else one that lost a message to a full queue is `Dropped`; else one that lost
/// a message to churn is `Lost`; else `NotFound` (which includes queries that died in droppers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    NoCopy,
    NotFound,
    Lost,
    Dropped,
    Timeout,
    Fooled,
}

/// Number of [`Outcome`]s.
pub const OUTCOMES: usize = 7;

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::NoCopy => "no_copy",
            Outcome::NotFound => "not_found",
            Outcome::Lost => "lost",
            Outcome::Dropped => "dropped",
            Outcome::Timeout => "timeout",
            Outcome::Fooled => "fooled",
        }
    }
}

/// One finished query (a row of queries.csv).
#[derive(Clone, Debug, PartialEq)]
pub struct QueryRecord {
    /// Index of the query among the run's issued queries (the same query has the same index in every strategy).
    pub index: u64,
    pub time_us: u64,
    pub source: u32,
    pub object: u32,
    pub outcome: Outcome,
    /// Hops and latency of the first hit, for successes.
    pub hops: Option<u32>,
    pub latency_us: Option<u64>,
    pub messages: u64,
    pub reached: u64,
    /// Its first hit (within the timeout) was a polluter's fake one; it may still have succeeded later.
    pub fooled: bool,
    /// Fake hits that reached the source.
    pub fake_hits: u32,
}

/// The per-run figures of runs.csv. `None` where a figure is undefined (no query, no success).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunMetrics {
    pub queries: u64,
    pub successes: u64,
    pub mean_hops: Option<f64>,
    pub mean_latency_s: Option<f64>,
    pub p95_latency_s: Option<f64>,
    pub messages: u64,
    pub query_messages: u64,
    pub hit_messages: u64,
    pub duplicate_messages: u64,
    /// Query messages (or walker steps) processed by a peer that had not seen the query in its current session.
    /// With `duplicate_messages` and the query messages lost or dropped, they account for every query message
    /// sent to a peer: `query_messages = first_receipts + duplicate_messages + lost_query_messages +
    /// dropped_query_messages` for floods, rings and walks. Without churn, for a flood (one query id) they are
    /// the peers reached; an expanding ring counts a peer again in each ring that reaches it, and under churn a
    /// peer that left and came back, having forgotten the query, takes it as new again.
    pub first_receipts: u64,
    /// Query messages lost to churn in flight (their sender or their destination left).
    pub lost_query_messages: u64,
    /// Query messages dropped by a full queue.
    pub dropped_query_messages: u64,
    pub peers_reached_per_query: Option<f64>,
    pub load_mean: f64,
    pub load_max: f64,
    pub load_p99: f64,
    pub load_gini: f64,
    pub online_mean: f64,
    pub events: u64,
    pub fail_no_copy: u64,
    pub fail_not_found: u64,
    pub fail_lost: u64,
    pub fail_dropped: u64,
    pub fail_timeout: u64,
    /// Stopped by a fake hit, without a genuine one (`[adversaries]`).
    pub fail_fooled: u64,
    /// Bytes of every message counted in `messages` (their wire sizes, `network.message_bytes`).
    pub bytes: u64,
    /// Mean upload of a peer over the measured window (warmup to duration), kbit/s.
    pub upload_kbps_mean: f64,
    /// Largest upload of a peer, kbit/s; counted only with `network.message_bytes` given (per-peer counters).
    pub upload_kbps_max: Option<f64>,
    /// Fake hits that reached the sources of the queries.
    pub fake_hits: u64,
    /// Queries whose first hit was fake.
    pub fooled: u64,
    /// Messages droppers swallowed (repeats of a query a dropper had seen are duplicates, as anywhere).
    pub swallowed_messages: u64,
    /// Messages dropped by full queues (peers' or the index's).
    pub dropped_messages: u64,
    /// Messages lost to churn: sent to a peer that had left, or stopped by a broken link.
    pub lost_messages: u64,
    /// Overlay maintenance inside [warmup, duration): two messages per link opened by repair (connect and
    /// accept), and by joining peers.
    pub repair_messages: u64,
    pub join_messages: u64,
    /// Mean copies per object at the end of the run (replication on success adds copies).
    pub copies_per_object: f64,
    /// Client-server: share of server time spent serving measured queries.
    pub server_utilisation: Option<f64>,
    /// Broadcasts: the mean share of the peers online at issue (source included) that got the payload, and the
    /// mean times to 50, 90 and 99% of them over the broadcasts that reached that share.
    pub coverage: Option<f64>,
    pub t50_s: Option<f64>,
    pub t90_s: Option<f64>,
    pub t99_s: Option<f64>,
    /// Two-tier overlays: load of ultrapeers and of leaves apart.
    pub load_mean_ultrapeer: Option<f64>,
    pub load_max_ultrapeer: Option<f64>,
    pub load_mean_leaf: Option<f64>,
    pub load_max_leaf: Option<f64>,
}

impl RunMetrics {
    pub fn success_rate(&self) -> Option<f64> {
        (self.queries > 0).then(|| self.successes as f64 / self.queries as f64)
    }

    pub fn fake_hits_per_query(&self) -> Option<f64> {
        (self.queries > 0).then(|| self.fake_hits as f64 / self.queries as f64)
    }

    pub fn fooled_rate(&self) -> Option<f64> {
        (self.queries > 0).then(|| self.fooled as f64 / self.queries as f64)
    }

    pub fn bytes_per_query(&self) -> Option<f64> {
        (self.queries > 0).then(|| self.bytes as f64 / self.queries as f64)
    }

    pub fn messages_per_query(&self) -> Option<f64> {
        (self.queries > 0).then(|| self.messages as f64 / self.queries as f64)
    }
}

/// One time bucket of timeseries.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct BucketRow {
    pub t_s: f64,
    /// Time-averaged number of online peers over the bucket.
    pub online_peers: f64,
    /// Queries issued in the bucket, and how many of them succeeded.
    pub queries: u64,
    pub successes: u64,
    /// Messages sent in the bucket.
    pub messages: u64,
    /// Most messages one peer processed in the bucket.
    pub load_max: u64,
}

/// Everything a recorder measured in one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub metrics: RunMetrics,
    pub timeseries: Vec<BucketRow>,
    /// Lorenz curve of node loads at peer shares 0, 0.01, ..., 1.
    pub lorenz: Vec<(f64, f64)>,
    /// Finished measured queries (only when queries.csv is wanted).
    pub queries: Vec<QueryRecord>,
    /// Broadcasts: the mean coverage curve (seconds since issue, coverage); empty for searches.
    pub coverage: Vec<(f64, f64)>,
}

//! The recorder the engine feeds while it runs; `finish` turns the counts into [`RunMetrics`].
//!
//! Attribution: runs.csv counts only queries issued at or after `warmup`, and with them only their messages and
//! the load those messages put on peers, so that messages_per_query = messages / queries exactly. The timeseries
//! covers the workload window [0, duration) whole, warmup included, by the time things happened; messages of the
//! drain after `duration` are not in it.

use rustc_hash::FxHashMap;

use super::coverage::Coverage;
use super::stats;
use super::touched::Touched;
use super::{BucketRow, OUTCOMES, Outcome, QueryRecord, Recorded, RunMetrics};
use crate::results::kinds::{MSG_KINDS, MsgKind};

pub struct Recorder {
    warmup_us: u64,
    duration_us: u64,
    bucket_us: u64,
    keep_queries: bool,
    queries: u64,
    successes: u64,
    fails: [u64; OUTCOMES],
    fake_hits: u64,
    fooled: u64,
    swallowed: u64,
    hops: Vec<f64>,
    latencies_s: Vec<f64>,
    reached: u64,
    by_kind: [u64; MSG_KINDS],
    duplicates: u64,
    first_receipts: u64,
    dropped: u64,
    dropped_queries: u64,
    lost: u64,
    lost_queries: u64,
    join_links: u64,
    repair_links: u64,
    /// Per node (peers, then any servers): one entry, so that counting a message costs one cache miss.
    nodes: Vec<NodeCounts>,
    /// Times a node's 32-bit load count wrapped around (almost always empty).
    load_wraps: FxHashMap<u32, u64>,
    buckets: Vec<BucketCounts>,
    /// Nodes with a non-zero count in the current bucket.
    touched: Touched,
    load_bucket: usize,
    /// The bucket `sent` last counted into, and the one `processed` did (its index is `load_bucket`): checking
    /// the window saves a division per message.
    send_window: Window,
    load_window: Window,
    records: Vec<QueryRecord>,
    /// Bytes of a message, by kind.
    sizes: [u64; MSG_KINDS],
    /// Bytes each node sent for measured queries: kept only when asked for (per-peer state of a feature).
    sent_bytes: Option<Vec<u64>>,
    /// Nodes below this are peers (the others, servers, upload nothing of the peers').
    peers: usize,
    /// Broadcasts' coverage (a broadcast strategy's run only).
    coverage: Option<Coverage>,
}

/// A timeseries bucket: [start, end) microseconds and its index.
#[derive(Clone, Copy, Default)]
struct Window {
    start: u64,
    end: u64,
    bucket: usize,
}

impl Window {
    #[inline]
    fn contains(&self, t: u64) -> bool {
        t >= self.start && t < self.end
    }
}

/// 8 bytes a node, not 16: less memory at the peak (docs/performance.md) and a smaller array for the event loop
/// to miss on.
#[derive(Clone, Copy, Default)]
struct NodeCounts {
    /// Messages processed, of measured queries, modulo 2^32 (the wraps are counted in `Recorder::load_wraps`).
    load: u32,
    /// Messages processed in the current timeseries bucket.
    in_bucket: u32,
}

/// Every node's load, in ascending order.
enum SortedLoads {
    /// The counters, sorted by load (no count wrapped: the 32-bit load is the whole count).
    Counters(Vec<NodeCounts>),
    /// The loads, copied out (some count wrapped).
    Copied(Vec<f64>),
}

impl SortedLoads {
    fn len(&self) -> usize {
        match self {
            SortedLoads::Counters(c) => c.len(),
            SortedLoads::Copied(l) => l.len(),
        }
    }

    /// The `i`-th smallest load.
    #[inline]
    fn at(&self, i: usize) -> f64 {
        match self {
            SortedLoads::Counters(c) => f64::from(c[i].load),
            SortedLoads::Copied(l) => l[i],
        }
    }
}

#[derive(Clone, Copy, Default)]
struct BucketCounts {
    queries: u64,
    successes: u64,
    messages: u64,
    load_max: u64,
}

impl Recorder {
    pub fn new(
        nodes: usize,
        warmup_us: u64,
        duration_us: u64,
        bucket_us: u64,
        keep_queries: bool,
    ) -> Recorder {
        let bucket_us = bucket_us.max(1);
        let n_buckets = duration_us.div_ceil(bucket_us).max(1) as usize;
        Recorder {
            warmup_us,
            duration_us,
            bucket_us,
            keep_queries,
            queries: 0,
            successes: 0,
            fails: [0; OUTCOMES],
            fake_hits: 0,
            fooled: 0,
            swallowed: 0,
            hops: Vec::new(),
            latencies_s: Vec::new(),
            reached: 0,
            by_kind: [0; MSG_KINDS],
            duplicates: 0,
            first_receipts: 0,
            dropped: 0,
            dropped_queries: 0,
            lost: 0,
            lost_queries: 0,
            join_links: 0,
            repair_links: 0,
            nodes: vec![NodeCounts::default(); nodes],
            load_wraps: FxHashMap::default(),
            buckets: vec![BucketCounts::default(); n_buckets],
            touched: Touched::new(nodes),
            load_bucket: 0,
            send_window: Window::default(),
            load_window: Window::default(),
            records: Vec::new(),
            sizes: [0; MSG_KINDS],
            sent_bytes: None,
            peers: nodes,
            coverage: None,
        }
    }

    /// Also measures broadcasts' coverage (a broadcast strategy's run).
    pub fn with_coverage(mut self, on: bool) -> Recorder {
        self.coverage = on.then(Coverage::default);
        self
    }

    /// A peer got the payload of a measured broadcast `offset_us` after its issue, `online` peers being online then.
    pub fn covered(&mut self, offset_us: u64, online: u32) {
        if let Some(c) = &mut self.coverage {
            c.delivered(offset_us, online);
        }
    }

    /// A measured broadcast ended, having reached `share` of its peers, and 50/90/99% of them after these times.
    pub fn broadcast_ended(&mut self, share: f64, times_us: [Option<u64>; 3]) {
        if let Some(c) = &mut self.coverage {
            c.ended(share, times_us);
        }
    }

    /// Whether a query issued at `time_us` counts in runs.csv.
    #[inline]
    pub fn measured(&self, time_us: u64) -> bool {
        time_us >= self.warmup_us
    }

    #[inline]
    fn bucket(&self, now: u64) -> Option<usize> {
        (now < self.duration_us).then(|| (now / self.bucket_us) as usize)
    }

    /// The timeseries bucket holding `now` (`None` from `duration` on), as a window.
    #[inline]
    fn window(&self, now: u64) -> Option<Window> {
        let b = self.bucket(now)?;
        let start = b as u64 * self.bucket_us;
        Some(Window {
            start,
            end: (start + self.bucket_us).min(self.duration_us),
            bucket: b,
        })
    }

    /// `count` messages of `kind` were sent, of a query that counts in runs.csv or not (their time goes to
    /// [`Recorder::sent_at`]).
    #[inline]
    pub fn sent(&mut self, kind: MsgKind, count: u64, measured: bool, sender: u32) {
        if measured {
            self.by_kind[kind as usize] += count;
            if let Some(bytes) = &mut self.sent_bytes {
                bytes[sender as usize] += count * self.sizes[kind as usize];
            }
        }
    }

    /// Counts bytes with `sizes` (by kind) for the first `peers` nodes (the others are servers); with
    /// `per_node`, also each node's upload (`upload_kbps_max`).
    pub fn with_bytes(mut self, sizes: [u64; MSG_KINDS], peers: usize, per_node: bool) -> Recorder {
        self.sizes = sizes;
        self.peers = peers.min(self.nodes.len());
        self.sent_bytes = per_node.then(|| vec![0; self.nodes.len()]);
        self
    }

    /// `count` messages were sent at `now` (the time series' count; kinds go to [`Recorder::sent`]).
    #[inline]
    pub fn sent_at(&mut self, now: u64, count: u64) {
        if !self.send_window.contains(now) {
            match self.window(now) {
                Some(w) => self.send_window = w,
                None => return,
            }
        }
        self.buckets[self.send_window.bucket].messages += count;
    }

    /// Hints the processor to fetch a node's counters (a node about to process a message).
    #[inline]
    pub fn prefetch(&self, node: usize) {
        if let Some(c) = self.nodes.get(node) {
            crate::graph::prefetch(c);
        }
    }

    /// Node `node` processed a message at `now`.
    ///
    /// Inlined into the event loop, with the rare paths (a new timeseries bucket, a count wrapping) kept out of
    /// line: left to the compiler, the whole function was a call that saved six registers per message (measured).
    #[inline(always)]
    pub fn processed(&mut self, node: usize, measured: bool, now: u64) {
        if measured {
            self.add_load(node);
        }
        if self.load_window.contains(now) || self.enter_load_window(now) {
            let c = &mut self.nodes[node];
            if c.in_bucket == 0 {
                self.touched.add(node as u32);
            }
            c.in_bucket += 1;
        }
    }

    /// Moves the per-node bucket counts to the timeseries bucket holding `now`, closing the last one; false from
    /// `duration` on (the drain is not in the timeseries).
    #[cold]
    #[inline(never)]
    fn enter_load_window(&mut self, now: u64) -> bool {
        let Some(w) = self.window(now) else {
            return false;
        };
        if w.bucket != self.load_bucket {
            self.close_load_bucket();
            self.load_bucket = w.bucket;
        }
        self.load_window = w;
        true
    }

    /// One more message of a measured query processed by `node`.
    #[inline(always)]
    fn add_load(&mut self, node: usize) {
        let c = &mut self.nodes[node];
        match c.load.checked_add(1) {
            Some(load) => c.load = load,
            None => self.load_wrapped(node),
        }
    }

    /// `node`'s 32-bit load count wraps around: the wrap is counted on the side.
    #[cold]
    #[inline(never)]
    fn load_wrapped(&mut self, node: usize) {
        self.nodes[node].load = 0;
        *self.load_wraps.entry(node as u32).or_default() += 1;
    }

    /// Every node's load in ascending order, for the summary (the per-node counts are spent then). Without a
    /// count that wrapped, the counters themselves are sorted by load: a copy of the loads took 8 bytes a node,
    /// the run's peak memory at 10^7 peers (docs/performance.md, "Speed round 2").
    fn sorted_loads(&mut self) -> SortedLoads {
        if self.load_wraps.is_empty() {
            let mut nodes = std::mem::take(&mut self.nodes);
            nodes.sort_unstable_by_key(|c| c.load);
            return SortedLoads::Counters(nodes);
        }
        let mut loads: Vec<f64> = (0..self.nodes.len())
            .map(|n| self.load_of(n) as f64)
            .collect();
        loads.sort_unstable_by(f64::total_cmp);
        SortedLoads::Copied(loads)
    }

    /// Messages of measured queries that `node` processed.
    fn load_of(&self, node: usize) -> u64 {
        let wraps = self.load_wraps.get(&(node as u32)).copied().unwrap_or(0);
        (wraps << 32) + u64::from(self.nodes[node].load)
    }

    fn close_load_bucket(&mut self) {
        let mut max = 0;
        match self.touched.nodes() {
            Some(list) => {
                for &n in list {
                    let c = &mut self.nodes[n as usize];
                    max = max.max(c.in_bucket);
                    c.in_bucket = 0;
                }
            }
            None => {
                for c in &mut self.nodes {
                    max = max.max(c.in_bucket);
                    c.in_bucket = 0;
                }
            }
        }
        self.touched.clear();
        let slot = &mut self.buckets[self.load_bucket].load_max;
        *slot = (*slot).max(max as u64);
    }

    #[inline]
    pub fn duplicate(&mut self, measured: bool) {
        if measured {
            self.duplicates += 1;
        }
    }

    /// A query message (or walker) reached a peer that had not seen its query (in the peer's current session).
    #[inline]
    pub fn first_receipt(&mut self, measured: bool) {
        if measured {
            self.first_receipts += 1;
        }
    }

    /// `count` query messages counted as first receipts were repeats (told at the query's end).
    pub fn repeats_found_late(&mut self, measured: bool, count: u64) {
        if measured {
            self.first_receipts -= count;
            self.duplicates += count;
        }
    }

    /// A message of `kind` was dropped by a full queue.
    #[inline]
    pub fn dropped(&mut self, kind: MsgKind, measured: bool) {
        if measured {
            self.dropped += 1;
            self.dropped_queries += u64::from(kind.is_query());
        }
    }

    /// A message of `kind` that was sent was lost to churn before it was processed (its sender or its
    /// destination left while it was in flight).
    #[inline]
    pub fn lost_in_flight(&mut self, kind: MsgKind, measured: bool) {
        if measured {
            self.lost += 1;
            self.lost_queries += u64::from(kind.is_query());
        }
    }

    /// Messages a peer could not send because the link or the state they needed was gone (churn): a hit whose
    /// reverse path broke. They were never sent, so they are in no message count but this one.
    #[inline]
    pub fn lost(&mut self, measured: bool, count: u64) {
        if measured {
            self.lost += count;
        }
    }

    /// A dropper swallowed a message.
    #[inline]
    pub fn swallowed(&mut self, measured: bool) {
        if measured {
            self.swallowed += 1;
        }
    }

    /// Links opened by joining and repairing peers (counted inside [warmup, duration) only).
    pub fn overlay_links(&mut self, join: u64, repair: u64, in_window: bool) {
        if in_window {
            self.join_links += join;
            self.repair_links += repair;
        }
    }

    /// A query is over.
    pub fn query_done(&mut self, rec: QueryRecord) {
        if let Some(b) = self.bucket(rec.time_us) {
            self.buckets[b].queries += 1;
            self.buckets[b].successes += u64::from(rec.outcome == Outcome::Success);
        }
        if !self.measured(rec.time_us) {
            return;
        }
        self.queries += 1;
        self.reached += rec.reached;
        self.fake_hits += u64::from(rec.fake_hits);
        self.fooled += u64::from(rec.fooled);
        match rec.outcome {
            Outcome::Success => {
                self.successes += 1;
                self.hops.push(rec.hops.unwrap_or(0) as f64);
                self.latencies_s
                    .push(rec.latency_us.unwrap_or(0) as f64 / 1e6);
            }
            other => self.fails[other as usize] += 1,
        }
        if self.keep_queries {
            self.records.push(rec);
        }
    }

    /// The run's figures. `online` gives the time-averaged number of online peers over [a, b) (microseconds).
    /// `ultrapeers` (two-tier overlays) splits the peers' load into ultrapeers and leaves.
    pub fn finish(
        mut self,
        events: u64,
        ultrapeers: Option<&[bool]>,
        online: impl Fn(u64, u64) -> f64,
    ) -> Recorded {
        self.close_load_bucket();
        let tier = |want_ultra: bool| -> (Option<f64>, Option<f64>) {
            let Some(u) = ultrapeers else {
                return (None, None);
            };
            let group: Vec<f64> = u
                .iter()
                .enumerate()
                .filter(|(_, is_u)| **is_u == want_ultra)
                .map(|(n, _)| self.load_of(n) as f64)
                .collect();
            (stats::mean(&group), group.iter().copied().reduce(f64::max))
        };
        let (load_mean_ultrapeer, load_max_ultrapeer) = tier(true);
        let (load_mean_leaf, load_max_leaf) = tier(false);
        let loads = self.sorted_loads();
        let (n_loads, load) = (loads.len(), |i| loads.at(i));
        let mut lat_sorted = self.latencies_s.clone();
        lat_sorted.sort_unstable_by(f64::total_cmp);
        let messages: u64 = self.by_kind.iter().sum();
        let bytes: u64 = (0..MSG_KINDS)
            .map(|k| self.by_kind[k] * self.sizes[k])
            .sum();
        // Per-peer upload over the measured window. Servers send the index's answers and nothing else, so the
        // peers' bytes are all but those.
        let window_s = (self.duration_us - self.warmup_us) as f64 / 1e6;
        let kbps = |b: u64| b as f64 * 8.0 / 1000.0 / window_s;
        let answers = [MsgKind::AnswerHit, MsgKind::AnswerMiss]
            .iter()
            .map(|&k| self.by_kind[k as usize] * self.sizes[k as usize])
            .sum::<u64>();
        let upload_kbps_mean = kbps(bytes - answers) / self.peers.max(1) as f64;
        let upload_kbps_max = self
            .sent_bytes
            .as_ref()
            .map(|b| kbps(b[..self.peers].iter().copied().max().unwrap_or(0)));
        let count = |pick: fn(MsgKind) -> bool| -> u64 {
            (0..MSG_KINDS as u8)
                .filter(|&k| pick(MsgKind::from_bits(k)))
                .map(|k| self.by_kind[k as usize])
                .sum()
        };
        let metrics = RunMetrics {
            queries: self.queries,
            successes: self.successes,
            mean_hops: stats::mean(&self.hops),
            mean_latency_s: stats::mean(&self.latencies_s),
            p95_latency_s: stats::quantile_sorted(&lat_sorted, 0.95),
            messages,
            query_messages: count(MsgKind::is_query),
            hit_messages: count(MsgKind::is_hit),
            duplicate_messages: self.duplicates,
            first_receipts: self.first_receipts,
            lost_query_messages: self.lost_queries,
            dropped_query_messages: self.dropped_queries,
            peers_reached_per_query: (self.queries > 0)
                .then(|| self.reached as f64 / self.queries as f64),
            load_mean: stats::mean_by(n_loads, load).unwrap_or(0.0),
            load_max: n_loads.checked_sub(1).map_or(0.0, load),
            load_p99: stats::quantile_sorted_by(n_loads, load, 0.99).unwrap_or(0.0),
            load_gini: stats::gini_sorted_by(n_loads, load),
            online_mean: online(self.warmup_us, self.duration_us),
            events,
            fail_no_copy: self.fails[Outcome::NoCopy as usize],
            fail_not_found: self.fails[Outcome::NotFound as usize],
            fail_lost: self.fails[Outcome::Lost as usize],
            fail_dropped: self.fails[Outcome::Dropped as usize],
            fail_timeout: self.fails[Outcome::Timeout as usize],
            fail_fooled: self.fails[Outcome::Fooled as usize],
            bytes,
            upload_kbps_mean,
            upload_kbps_max,
            fake_hits: self.fake_hits,
            fooled: self.fooled,
            swallowed_messages: self.swallowed,
            dropped_messages: self.dropped,
            lost_messages: self.lost,
            // Opening a link costs a connect request and its acceptance (Gnutella's handshake, simplified).
            repair_messages: 2 * self.repair_links,
            join_messages: 2 * self.join_links,
            copies_per_object: 0.0,
            server_utilisation: None,
            load_mean_ultrapeer,
            load_max_ultrapeer,
            load_mean_leaf,
            load_max_leaf,
            coverage: self.coverage.as_ref().and_then(Coverage::mean_share),
            t50_s: self.coverage.as_ref().and_then(|c| c.mean_time_s(0)),
            t90_s: self.coverage.as_ref().and_then(|c| c.mean_time_s(1)),
            t99_s: self.coverage.as_ref().and_then(|c| c.mean_time_s(2)),
        };
        let bucket_us = self.bucket_us;
        let duration_us = self.duration_us;
        let rows = self
            .buckets
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let start = i as u64 * bucket_us;
                let end = (start + bucket_us).min(duration_us);
                BucketRow {
                    t_s: start as f64 / 1e6,
                    online_peers: online(start, end),
                    queries: b.queries,
                    successes: b.successes,
                    messages: b.messages,
                    load_max: b.load_max,
                }
            })
            .collect();
        let lorenz = stats::lorenz_sorted_by(n_loads, load);
        Recorded {
            metrics,
            timeseries: rows,
            lorenz,
            queries: self.records,
            coverage: self.coverage.map(|c| c.curve()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_counts_carry_past_32_bits() {
        // 2^32 - 2 messages, then 5 more (inside and outside the timeseries window): exactly 2^32 + 3.
        let mut rec = Recorder::new(2, 0, 1_000_000, 100_000, false);
        rec.nodes[1].load = u32::MAX - 1;
        for t in [10, 20, 30, 2_000_000, 2_000_001] {
            rec.processed(1, true, t);
        }
        rec.processed(1, false, 40);
        assert_eq!(rec.load_of(1), (1u64 << 32) + 3);
        assert_eq!(rec.load_of(0), 0);
    }

    #[test]
    fn a_bucket_past_the_touched_list_has_the_same_load_max() {
        // Node n processes n % 13 messages in each of 10 buckets; the touched list holds 2 nodes or all of them.
        let load_max = |list: usize| {
            let mut rec = Recorder::new(300, 0, 1_000_000, 100_000, false);
            rec.touched = Touched::with_list(list);
            for bucket in 0..10u64 {
                for n in 0..300usize {
                    for k in 0..(n + bucket as usize) % 13 {
                        rec.processed(n, true, bucket * 100_000 + k as u64);
                    }
                }
            }
            let r = rec.finish(0, None, |_, _| 1.0);
            r.timeseries.iter().map(|b| b.load_max).collect::<Vec<_>>()
        };
        assert_eq!(load_max(2), load_max(1000));
        assert_eq!(load_max(2), vec![12; 10]);
    }

    #[test]
    fn loads_summarised_in_place_match_a_sorted_copy() {
        // The same loads, summarised from the counters sorted in place and (with a wrap entry that adds
        // nothing, which forces the copy) from a sorted copy: the same bits.
        let summary = |copy: bool| {
            let mut rec = Recorder::new(500, 0, 1_000_000, 100_000, false);
            for n in 0..500usize {
                for k in 0..(n * 7919) % 263 {
                    rec.processed(n, true, k as u64);
                }
            }
            if copy {
                rec.load_wraps.insert(3, 0);
            }
            let r = rec.finish(0, None, |_, _| 1.0);
            let m = r.metrics;
            let mut bits = vec![m.load_mean, m.load_max, m.load_p99, m.load_gini];
            bits.extend(r.lorenz.iter().flat_map(|&(p, l)| [p, l]));
            bits.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        };
        assert_eq!(summary(false), summary(true));
    }
}

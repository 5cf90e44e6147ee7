//! Topology benchmark (`cargo bench --bench topology`): builds million-peer power-law overlays (and, for
//! comparison, Barabási–Albert and Watts–Strogatz ones) with mean degree about 8 and prints, per generator,
//! the generation wall time, the process's peak RSS after generation (VmHWM), then the time of
//! `GraphStats::compute` and the peak RSS after it. Each case runs in its own child process so the peaks do
//! not mix. Target: generation under 5 s and 200 MB.
//!
//! `cargo bench --bench topology -- mean` runs only the cases whose name contains "mean".

use std::process::Command;
use std::time::Instant;

use gnutsim::dist::powerlaw::solve_for_mean;
use gnutsim::graph::Graph;
use gnutsim::rng::{Stream, stream};
use gnutsim::topology::barabasi_albert::barabasi_albert;
use gnutsim::topology::powerlaw::configuration_model;
use gnutsim::topology::small_world::watts_strogatz;
use gnutsim::topology::stats::GraphStats;

const PEERS: u32 = 1_000_000;

/// The configuration model with the degree range solved for a mean degree, as `mean_degree` does.
fn with_mean(exponent: f64, mean: f64) -> Graph {
    let s = solve_for_mean(PEERS, exponent, mean, None, None).expect("reachable");
    configuration_model(
        PEERS,
        exponent,
        s.min_degree,
        s.max_degree,
        &mut stream(1, Stream::Topology),
    )
    .expect("graphical")
}

/// (name, builder). Configuration-model parameters: drawn mean degree Σ k^(1-a) / Σ k^-a over
/// [min, 999,999] is 8.72 for a = 2.2, min 2 and 7.63 for a = 2.5, min 3. Every drawn degree is kept, so the
/// realised mean is the sample mean of the draws, which at a = 2.2 has a standard deviation near 0.4 (a few hubs
/// of up to ~10^5 links carry much of it).
type Case = (&'static str, fn() -> Graph);
const CASES: [Case; 6] = [
    ("config a=2.3 mean=8", || with_mean(2.3, 8.0)),
    ("config a=2.1 mean=8", || with_mean(2.1, 8.0)),
    ("config a=2.2 min=2", || {
        configuration_model(PEERS, 2.2, 2, PEERS - 1, &mut stream(1, Stream::Topology))
            .expect("graphical")
    }),
    ("config a=2.5 min=3", || {
        configuration_model(PEERS, 2.5, 3, PEERS - 1, &mut stream(1, Stream::Topology))
            .expect("graphical")
    }),
    // For comparison, the other sparse generators at mean degree 8.
    ("barabasi-albert m=4", || {
        barabasi_albert(PEERS, 4, &mut stream(1, Stream::Topology))
    }),
    ("small-world k=8 p=0.1", || {
        watts_strogatz(PEERS, 8, 0.1, &mut stream(1, Stream::Topology))
    }),
];

fn run_case(case: &Case) {
    let t = Instant::now();
    let g = (case.1)();
    let generate = t.elapsed().as_secs_f64();
    let rss_generate = gnutsim::runner::peak_rss_mb();
    let t = Instant::now();
    let s = GraphStats::compute(&g);
    let stats = t.elapsed().as_secs_f64();
    let rss_stats = gnutsim::runner::peak_rss_mb();
    let fit = s
        .powerlaw
        .map_or("-".to_string(), |f| format!("{:.3}@{}", f.exponent, f.xmin));
    println!(
        "{:<24} {:>9} {:>7.3} {:>7} {:>8.2} {:>8.1} {:>8.2} {:>8.1} {:>9.4} {:>11}",
        case.0,
        s.edges,
        s.mean_degree,
        s.max_degree,
        generate,
        rss_generate,
        stats,
        rss_stats,
        s.clustering,
        fit
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        let name = args.get(i + 1).map(String::as_str).unwrap_or("");
        match CASES.iter().find(|c| c.0 == name) {
            Some(case) => run_case(case),
            None => eprintln!("unknown case {name:?}"),
        }
        return;
    }
    let filter = args.iter().find(|a| !a.starts_with('-'));
    println!(
        "{:<24} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>9} {:>11}",
        "generator (1M peers)",
        "links",
        "mean",
        "max",
        "gen s",
        "gen MB",
        "stats s",
        "stats MB",
        "cluster",
        "fit a@xmin"
    );
    let exe = std::env::current_exe().expect("own path");
    for case in CASES
        .iter()
        .filter(|c| filter.is_none_or(|f| c.0.contains(f.as_str())))
    {
        let status = Command::new(&exe)
            .args(["--case", case.0])
            .status()
            .expect("child runs");
        assert!(status.success(), "{} failed", case.0);
    }
}

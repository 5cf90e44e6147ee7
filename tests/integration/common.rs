//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use gnutsim::content::Content;
use gnutsim::engine::RunOutput;
use gnutsim::graph::{Graph, PeerId};
use gnutsim::scenario::{self, Scenario};
use gnutsim::workload::Arrival;
use gnutsim::world::World;

/// A scenario from TOML text (named `test.toml`).
pub fn scenario(text: &str) -> Scenario {
    scenario::load_str(
        Path::new("test.toml"),
        text,
        &[],
        gnutsim::strategies::KINDS,
    )
    .expect("test scenario is valid")
}

/// A world on a hand-built graph: `holders[o]` lists who holds object o; every object equally popular.
pub fn hand_world(graph: Graph, holders: Vec<Vec<PeerId>>, service_us: Option<u64>) -> World {
    let n = graph.len() as u32;
    let objects = holders.len();
    World {
        replication: 0,
        seed: 1,
        content: Content::from_holders(n, holders, vec![1.0; objects]),
        service_us: service_us.map(|s| vec![s; n as usize]),
        upload_bps: None,
        graph,
        ultrapeers: None,
        largest_component_share: 1.0.into(),
        churn: None,
        roles: None,
    }
}

/// Queries from the given sources, one second apart, each asking for object 0 (held by someone else).
pub fn run_queries(s: &Scenario, world: &World, sources: &[PeerId]) -> RunOutput {
    let arrivals: Vec<Arrival> = sources
        .iter()
        .enumerate()
        .map(|(i, &source)| Arrival {
            time_us: i as u64 * 1_000_000,
            source,
            object_draw: 0.0,
        })
        .collect();
    gnutsim::strategies::simulate_arrivals(s, &s.strategies[0], world, arrivals.into_iter())
}

/// A minimal valid scenario around one strategy table and a network table.
pub fn minimal(peers: u32, network_extra: &str, strategy: &str) -> String {
    format!(
        r#"
duration = 100.0
[network]
peers = {peers}
{network_extra}
[topology]
kind = "random"
mean_degree = 1.0
[content]
objects = 1
[workload]
query_rate = 0.001
[[strategy]]
name = "s"
{strategy}
[output]
queries = true
"#
    )
}

/// A fresh folder under target/test-output/ for one test's results (kept, so .ci/run can spec-check it).
pub fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("test-output")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.parent().expect("has a parent")).expect("can create test-output");
    dir
}

/// Attaches a churn schedule to a hand-built world: peers online at 0 as given, then `events` as
/// (seconds, peer, joins).
pub fn with_churn(mut world: World, online: Vec<bool>, events: &[(f64, PeerId, bool)]) -> World {
    let events = events
        .iter()
        .map(|&(t, peer, join)| gnutsim::churn::ChurnEvent {
            time_us: (t * 1e6).round() as u64,
            peer,
            join,
        })
        .collect();
    let schedule = gnutsim::churn::ChurnSchedule::new(online, events).expect("valid schedule");
    world.churn = Some(gnutsim::world::WorldChurn { schedule });
    world
}

/// Runs the gnutsim binary from the project folder.
pub fn gnutsim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_gnutsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("gnutsim runs")
}

/// Runs the gnutsim binary, which must succeed; returns its standard output.
pub fn gnutsim_ok(args: &[&str]) -> String {
    let o = gnutsim(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A query (or broadcast) arrival at `t` seconds from `source`, asking for the first object.
pub fn at(t: f64, source: PeerId) -> Arrival {
    Arrival {
        time_us: (t * 1e6).round() as u64,
        source,
        object_draw: 0.0,
    }
}

/// A star: peer 0 linked to each of `leaves` leaves (1 ..= leaves).
pub fn star(leaves: u32) -> Graph {
    Graph::from_edges(
        leaves as usize + 1,
        &(1..=leaves).map(|i| (0, i)).collect::<Vec<_>>(),
    )
}

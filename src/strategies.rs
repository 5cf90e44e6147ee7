//! The registry of strategy kinds: one line per kind. A kind's keys, defaults, validation, resolved TOML, work
//! estimate and protocol live in its own file under `protocols/` (its `BuildProtocol` impl); this list hands the
//! kinds to the scenario loader and turns a scenario's strategy back into its protocol for the engine.

use crate::engine::{self, Done, Job, RunOutput, tracer::TracedQuery};
use crate::protocols::BuildProtocol;
use crate::protocols::broadcast::BroadcastSpec;
use crate::protocols::client_server::ClientServerSpec;
use crate::protocols::expanding_ring::ExpandingRingSpec;
use crate::protocols::flooding::FloodingSpec;
use crate::protocols::random_walk::RandomWalkSpec;
use crate::scenario::reader::{R, Reader};
use crate::scenario::{Scenario, Strategy, StrategyDef, StrategySpec};
use crate::workload::Arrival;
use crate::world::World;

/// Declares the kinds: the loader's list and the engine's dispatch, from one list.
macro_rules! registry {
    ($($spec:ty),+ $(,)?) => {
        /// Every strategy kind, in the order error messages list them.
        pub static KINDS: &[StrategyDef] = &[$(StrategyDef {
            kind: <$spec as BuildProtocol>::KIND,
            read: read_boxed::<$spec>,
        }),+];

        /// Builds `strategy`'s protocol and runs `job` with it.
        fn launch<'a>(
            s: &Scenario,
            strategy: &Strategy,
            world: &'a World,
            arrivals: Box<dyn Iterator<Item = Arrival> + 'a>,
            job: Job,
        ) -> Done {
            let spec = strategy.spec.as_any();
            $(
                if let Some(spec) = spec.downcast_ref::<$spec>() {
                    let protocol = spec.build(engine::build_env(s, world));
                    return engine::launch(s, strategy, world, arrivals, protocol, job);
                }
            )+
            unreachable!("strategy kind {} is read but not registered", strategy.kind())
        }
    };
}

registry! {
    FloodingSpec,
    ExpandingRingSpec,
    RandomWalkSpec,
    ClientServerSpec,
    BroadcastSpec,
}

fn read_boxed<S: BuildProtocol>(keys: &mut Reader) -> R<Box<dyn StrategySpec>> {
    Ok(Box::new(S::read(keys)?))
}

/// Runs one strategy over one world, with the replication's query trace.
pub fn simulate(s: &Scenario, strategy: &Strategy, world: &World) -> RunOutput {
    simulate_arrivals(s, strategy, world, engine::query_trace(s, world))
}

/// Runs one strategy over one world with given query arrivals (in time order): hand-built cases in tests.
pub fn simulate_arrivals<'a>(
    s: &Scenario,
    strategy: &Strategy,
    world: &'a World,
    arrivals: impl Iterator<Item = Arrival> + 'a,
) -> RunOutput {
    match launch(s, strategy, world, Box::new(arrivals), Job::Run) {
        Done::Run(out) => *out,
        Done::Trace(_) => unreachable!("a run gives its output"),
    }
}

/// Follows query `index` (in issue order) of one strategy run, hop by hop; the run stops when that query
/// ends. `None` if the run issues fewer queries.
pub fn trace_query(
    s: &Scenario,
    strategy: &Strategy,
    world: &World,
    index: u64,
) -> Option<TracedQuery> {
    trace_arrivals(s, strategy, world, engine::query_trace(s, world), index)
}

/// [`trace_query`] recording only the query's first `cap` messages ([`TracedQuery::unrecorded`] counts the rest).
pub fn trace_query_capped(
    s: &Scenario,
    strategy: &Strategy,
    world: &World,
    index: u64,
    cap: usize,
) -> Option<TracedQuery> {
    let arrivals = Box::new(engine::query_trace(s, world));
    match launch(
        s,
        strategy,
        world,
        arrivals,
        Job::TraceCapped { index, cap },
    ) {
        Done::Trace(t) => t,
        Done::Run(_) => unreachable!("a trace gives its query"),
    }
}

/// [`trace_query`] with given query arrivals (in time order): hand-built cases in tests.
pub fn trace_arrivals<'a>(
    s: &Scenario,
    strategy: &Strategy,
    world: &'a World,
    arrivals: impl Iterator<Item = Arrival> + 'a,
    index: u64,
) -> Option<TracedQuery> {
    match launch(s, strategy, world, Box::new(arrivals), Job::Trace(index)) {
        Done::Trace(t) => t,
        Done::Run(_) => unreachable!("a trace gives its query"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_kind_is_registered_once_and_named_in_the_unknown_kind_error() {
        let mut names: Vec<&str> = KINDS.iter().map(|d| d.kind).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len(), "a kind registered twice");
        let text = "duration = 10.0\n[network]\npeers = 10\n[topology]\nkind = \"random\"\nmean_degree = 2.0\n\
                    [content]\nobjects = 5\n[workload]\nquery_rate = 1.0\n\
                    [[strategy]]\nname = \"x\"\nkind = \"nope\"\n";
        let e = crate::scenario::load_str(Path::new("k.toml"), text, &[], KINDS).unwrap_err();
        assert_eq!(e.key, "strategy.x.kind");
        for d in KINDS {
            assert!(
                e.message.contains(d.kind),
                "{} not listed: {}",
                d.kind,
                e.message
            );
        }
    }

    #[test]
    fn a_strategy_runs_as_its_own_protocol() {
        // The dispatch picks each kind's protocol: a flood of TTL 1 reaches exactly the source's neighbours,
        // which a walker of one step or the index could not match query by query.
        let text = "duration = 5.0\nseed = 3\n[network]\npeers = 50\n\
                    latency = { dist = \"constant\", value = 0.01 }\n\
                    [topology]\nkind = \"regular\"\ndegree = 4\n[content]\nobjects = 1000\n\
                    [workload]\nquery_rate = 2.0\n\
                    [[strategy]]\nname = \"f\"\nkind = \"flooding\"\nttl = 1\n";
        let s = crate::scenario::load_str(Path::new("f.toml"), text, &[], KINDS).unwrap();
        let world = World::build(&s, 0).unwrap();
        let out = simulate(&s, &s.strategies[0], &world);
        assert!(out.metrics.queries > 0);
        // TTL 1 on a 4-regular graph: 4 query messages per query, no duplicates.
        assert_eq!(out.metrics.query_messages, 4 * out.metrics.queries);
    }
}

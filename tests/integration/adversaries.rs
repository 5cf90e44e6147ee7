//! Bad actors (`[adversaries]`) against values counted by hand on small graphs, and the checks of the issue that
//! added them: all droppers, all polluters, free riders and copies, a sweep of droppers.

use gnutsim::adversaries::{Role, Roles};
use gnutsim::engine::tracer::Fate;
use gnutsim::graph::Graph;
use gnutsim::metrics::{Outcome, RunMetrics};
use gnutsim::protocols::MsgKind;
use gnutsim::scenario::Scenario;
use gnutsim::world::World;

use crate::common::{hand_world, minimal, run_queries, scenario};

/// The binary tree of the flooding tests: 0 -> 1, 2; 1 -> 3, 4; 2 -> 5, 6. Object 0 on peer 6 only.
fn tree_world(bad: &[(u32, Role)]) -> World {
    let g = Graph::from_edges(7, &[(0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (2, 6)]);
    let mut w = hand_world(g, vec![vec![6]], None);
    let mut roles = vec![Role::Honest; 7];
    for &(p, r) in bad {
        roles[p as usize] = r;
    }
    w.roles = Some(Roles::from_roles(roles));
    w
}

fn flood(ttl: u32) -> Scenario {
    scenario(&minimal(
        7,
        "",
        &format!("kind = \"flooding\"\nttl = {ttl}"),
    ))
}

#[test]
fn a_polluter_on_the_way_fools_the_query_before_the_genuine_hit() {
    // From 3, the query reaches the polluter 1 first (one hop): its fake hit is back at 3 after 2 x 50 ms, the
    // genuine one from 6 (4 hops) after 8 x 50 ms. The polluter still forwards, so the query messages are the 6 of
    // the honest tree; hits: 4 genuine + 1 fake.
    let out = run_queries(&flood(4), &tree_world(&[(1, Role::Polluter)]), &[3]);
    let m = &out.metrics;
    assert_eq!((m.queries, m.successes), (1, 1));
    assert_eq!(m.query_messages, 6);
    assert_eq!(m.hit_messages, 5);
    assert_eq!((m.fake_hits, m.fooled, m.fail_fooled), (1, 1, 0));
    assert_eq!(m.fake_hits_per_query(), Some(1.0));
    assert_eq!(m.fooled_rate(), Some(1.0));
    assert!(
        (m.mean_latency_s.unwrap() - 0.4).abs() < 1e-9,
        "the genuine hit's latency"
    );
    let q = &out.queries[0];
    assert!(q.fooled && q.outcome == Outcome::Success);
}

#[test]
fn a_polluter_stops_nothing_a_flood_does_but_fails_a_query_with_no_genuine_hit() {
    // TTL 3 from 3 falls one hop short of 6: the only hit is the polluter's, so the query fails fooled.
    let out = run_queries(&flood(3), &tree_world(&[(1, Role::Polluter)]), &[3]);
    let m = &out.metrics;
    assert_eq!((m.successes, m.fail_fooled, m.fail_not_found), (0, 1, 0));
    assert_eq!(out.queries[0].outcome, Outcome::Fooled);
    // A polluter holding the object answers fake, never genuine.
    let out = run_queries(&flood(4), &tree_world(&[(6, Role::Polluter)]), &[3]);
    assert_eq!((out.metrics.successes, out.metrics.fail_fooled), (0, 1));
}

#[test]
fn a_dropper_swallows_the_flood_and_counts_as_reached() {
    // Dropper 2 is the only way to 6: 3->1, 1->0, 1->4, 0->2 are sent (4 query messages), 2 swallows its copy.
    // Reached: 1, 0, 4 and the dropper 2.
    let out = run_queries(&flood(4), &tree_world(&[(2, Role::Dropper)]), &[3]);
    let m = &out.metrics;
    assert_eq!((m.successes, m.fail_not_found), (0, 1));
    assert_eq!((m.query_messages, m.hit_messages), (4, 0));
    assert_eq!(m.swallowed_messages, 1);
    assert_eq!(m.peers_reached_per_query, Some(4.0));
    assert_eq!(m.first_receipts, 4, "the dropper's copy is a first receipt");
    // A dropper holding the object never answers.
    let out = run_queries(&flood(4), &tree_world(&[(6, Role::Dropper)]), &[3]);
    let m = &out.metrics;
    assert_eq!(
        (m.successes, m.query_messages, m.swallowed_messages),
        (0, 6, 1)
    );
}

#[test]
fn a_dropper_asking_for_itself_gets_its_answers() {
    // Droppers swallow other peers' traffic, not the answers to their own queries.
    let out = run_queries(&flood(4), &tree_world(&[(3, Role::Dropper)]), &[3]);
    let m = &out.metrics;
    assert_eq!((m.successes, m.swallowed_messages), (1, 0));
    assert_eq!(m.hit_messages, 4);
}

#[test]
fn the_trace_shows_fake_hits_and_swallowed_messages() {
    let s = flood(4);
    let w = tree_world(&[(1, Role::Polluter), (2, Role::Dropper)]);
    let arrival = gnutsim::workload::Arrival {
        time_us: 0,
        source: 3,
        object_draw: 0.0,
    };
    let t =
        gnutsim::strategies::trace_arrivals(&s, &s.strategies[0], &w, std::iter::once(arrival), 0)
            .expect("the query is traced");
    let fake = t
        .hops
        .iter()
        .find(|h| h.kind == MsgKind::FakeHit)
        .expect("a fake hit");
    assert_eq!((fake.from, fake.to, fake.fate), (1, 3, Fate::HitAtSource));
    let swallowed: Vec<_> = t
        .hops
        .iter()
        .filter(|h| h.fate == Fate::Swallowed)
        .map(|h| (h.from, h.to))
        .collect();
    assert_eq!(swallowed, vec![(0, 2)]);
    assert_eq!(t.outcome, Some(Outcome::Fooled));
    let text = gnutsim::output::trace::render(&t, 7, Some(&w.roles.clone().unwrap()));
    assert!(text.contains("fake-hit"), "{text}");
    assert!(text.contains("swallowed"), "{text}");
    assert!(text.contains("2 (D)") && text.contains("1 (P)"), "{text}");
}

#[test]
fn a_walker_at_a_polluter_sends_a_fake_hit_and_stops_at_its_check() {
    // Line 0-1-2-3, object on 3, polluter 1; one walker checking after every step. Step 1 lands on the
    // polluter: its fake hit and the walker's check leave together and reach the source in that order, so the
    // source answers stop: 1 step, 1 fake hit, 1 check, 1 stop. Fooled, and no genuine hit.
    let g = Graph::from_edges(4, &[(0, 1), (1, 2), (2, 3)]);
    let mut w = hand_world(g, vec![vec![3]], None);
    w.roles = Some(Roles::from_roles(vec![
        Role::Honest,
        Role::Polluter,
        Role::Honest,
        Role::Honest,
    ]));
    let s = scenario(&minimal(
        4,
        "",
        "kind = \"random-walk\"\nwalkers = 1\nttl = 50\ncheck_every = 1",
    ));
    let out = run_queries(&s, &w, &[0]);
    let m = &out.metrics;
    assert_eq!((m.successes, m.fail_fooled, m.fooled), (0, 1, 1));
    assert_eq!(m.messages, 4, "step, fake hit, check, stop");
    assert_eq!((m.query_messages, m.hit_messages), (1, 1));
}

/// A 4-regular overlay of 200 peers, every object on exactly 2 peers, `adversaries` as given, each strategy.
fn regular(adversaries: &str, strategy: &str) -> RunMetrics {
    let text = format!(
        r#"
seed = 5
duration = 100.0
[network]
peers = 200
[topology]
kind = "regular"
degree = 4
[content]
objects = 20
replicas_mean = 2.0
[workload]
query_rate = 0.01
{adversaries}
[[strategy]]
name = "s"
{strategy}
"#
    );
    let s = scenario(&text);
    let w = World::build(&s, 0).expect("world builds");
    gnutsim::strategies::simulate(&s, &s.strategies[0], &w).metrics
}

const FLOOD3: &str = "kind = \"flooding\"\nttl = 3";
const RING: &str = "kind = \"expanding-ring\"\nttls = [1, 2, 4]\nring_wait = 1.0";
const WALK: &str = "kind = \"random-walk\"\nwalkers = 4\nttl = 64\ncheck_every = 4";

#[test]
fn all_droppers_swallow_a_flood_at_its_first_hop() {
    // The source's 4 neighbours swallow its 4 copies: exactly 4 query messages a query, and never a success.
    let m = regular("[adversaries]\ndroppers = 1.0", FLOOD3);
    assert!(m.queries > 100, "{}", m.queries);
    assert_eq!(m.query_messages, 4 * m.queries);
    assert_eq!(m.swallowed_messages, 4 * m.queries);
    assert_eq!(m.hit_messages, 0);
    assert_eq!(m.successes, 0);
    assert_eq!(m.fail_not_found + m.fail_no_copy, m.queries);
    assert_eq!(m.peers_reached_per_query, Some(4.0));
}

#[test]
fn all_polluters_fool_every_query_and_none_succeeds() {
    // Every object has 2 copies (so no query fails for want of one), but only polluters hold them.
    for strategy in [FLOOD3, RING, WALK] {
        let m = regular("[adversaries]\npolluters = 1.0", strategy);
        assert!(m.queries > 100, "{}", m.queries);
        assert_eq!(m.successes, 0, "{strategy}");
        assert_eq!(m.fooled, m.queries, "{strategy}");
        assert_eq!(m.fail_fooled, m.queries, "{strategy}");
        assert!(m.fake_hits >= m.queries, "{strategy}");
    }
    // The index of the client-server baseline is honest, and peers never see its queries.
    let cs = "kind = \"client-server\"\nservice_rate = 100.0";
    let honest = regular("", cs);
    let polluted = regular("[adversaries]\npolluters = 1.0", cs);
    assert_eq!(honest, polluted);
}

#[test]
fn an_expanding_ring_widens_no_further_after_a_fake_hit() {
    // A polluted ring stops at its first ring (TTL 1: the 4 neighbours, all polluters): 4 query messages.
    let m = regular("[adversaries]\npolluters = 1.0", RING);
    assert_eq!(m.query_messages, 4 * m.queries);
}

#[test]
fn free_riders_move_the_copies_but_keep_their_number() {
    let text = |adv: &str| {
        format!(
            "seed = 9\nduration = 10.0\n[network]\npeers = 1000\n[topology]\nkind = \"random\"\nmean_degree = 4.0\n\
             [content]\nobjects = 300\nreplicas_mean = 3.0\n[workload]\nquery_rate = 0.01\n{adv}\n\
             [[strategy]]\nname = \"f\"\nkind = \"flooding\"\nttl = 4\n"
        )
    };
    let honest = World::build(&scenario(&text("")), 0).expect("world");
    let s = scenario(&text("[adversaries]\nfree_riders = 0.7"));
    let w = World::build(&s, 0).expect("world");
    let roles = w.roles.as_ref().expect("roles");
    assert_eq!(roles.count(Role::FreeRider), 700);
    for o in 0..300 {
        assert_eq!(w.content.copies(o), 3, "object {o}");
        assert_eq!(honest.content.copies(o), 3, "object {o}");
        for p in w.content.holders(o) {
            assert_ne!(roles.of(*p), Role::FreeRider, "object {o} on a free rider");
        }
    }
    let m = gnutsim::strategies::simulate(&s, &s.strategies[0], &w).metrics;
    assert_eq!(m.copies_per_object, 3.0);
    // Free riders change where the copies sit, nothing else of the world.
    assert_eq!(
        honest.graph.edges().collect::<Vec<_>>(),
        w.graph.edges().collect::<Vec<_>>()
    );
}

#[test]
fn droppers_and_polluters_change_nothing_else_of_the_world() {
    let text = |adv: &str| {
        format!(
            "seed = 4\nduration = 100.0\n[network]\npeers = 500\n[topology]\nkind = \"random\"\nmean_degree = 5.0\n\
             [content]\nobjects = 50\nreplicas_mean = 2.5\n[workload]\nquery_rate = 0.01\n\
             [churn]\nsession = {{ dist = \"exponential\", mean = 300.0 }}\n\
             downtime = {{ dist = \"exponential\", mean = 100.0 }}\n{adv}\n\
             [[strategy]]\nname = \"f\"\nkind = \"flooding\"\nttl = 4\n"
        )
    };
    let base =
        World::build(&scenario(&text("[adversaries]\nfree_riders = 0.2")), 0).expect("world");
    let bad = World::build(
        &scenario(&text(
            "[adversaries]\nfree_riders = 0.2\ndroppers = 0.3\npolluters = 0.2",
        )),
        0,
    )
    .expect("world");
    assert_eq!(
        base.graph.edges().collect::<Vec<_>>(),
        bad.graph.edges().collect::<Vec<_>>()
    );
    for o in 0..50 {
        assert_eq!(base.content.holders(o), bad.content.holders(o));
    }
    let schedule = |w: &World| {
        w.churn
            .as_ref()
            .map(|c| c.schedule.online_mean(0, 100_000_000))
    };
    assert_eq!(schedule(&base), schedule(&bad));
    let (r, b) = (base.roles.as_ref().unwrap(), bad.roles.as_ref().unwrap());
    assert!((0..500).all(|p| (r.of(p) == Role::FreeRider) == (b.of(p) == Role::FreeRider)));
    assert_eq!(
        (b.count(Role::Dropper), b.count(Role::Polluter)),
        (150, 100)
    );
}

#[test]
fn more_droppers_lower_success_for_floods_and_walks() {
    let text = |droppers: f64, strategy: &str| {
        format!(
            "seed = 11\nduration = 200.0\n[network]\npeers = 1000\n[topology]\nkind = \"random\"\nmean_degree = 6.0\n\
             [content]\nobjects = 100\nreplicas_mean = 5.0\n[workload]\nquery_rate = 0.005\n\
             [adversaries]\ndroppers = {droppers}\n[[strategy]]\nname = \"s\"\n{strategy}\n"
        )
    };
    for strategy in [
        "kind = \"flooding\"\nttl = 4",
        "kind = \"random-walk\"\nwalkers = 8\nttl = 128\ncheck_every = 8",
    ] {
        let rates: Vec<f64> = [0.0, 0.2, 0.4]
            .iter()
            .map(|&d| {
                let s = scenario(&text(d, strategy));
                let w = World::build(&s, 0).expect("world");
                let m = gnutsim::strategies::simulate(&s, &s.strategies[0], &w).metrics;
                assert!(m.queries > 800, "{}", m.queries);
                m.success_rate().unwrap()
            })
            .collect();
        // About 1,000 queries a point: a standard error of at most 0.016 on each rate; the drops are far larger.
        assert!(
            rates[0] > rates[1] + 0.05 && rates[1] > rates[2] + 0.05,
            "{strategy}: {rates:?}"
        );
    }
}

#[test]
fn tier_placement_puts_bad_actors_in_that_tier_only() {
    let text = |placement: &str| {
        format!(
            "seed = 2\nduration = 50.0\n[network]\npeers = 400\n[topology]\nkind = \"two-tier\"\n\
             ultrapeer_share = 0.1\nultrapeer_degree = 6\nleaf_links = 2\n[content]\nobjects = 40\n\
             replicas_mean = 3.0\n[workload]\nquery_rate = 0.01\n[adversaries]\npolluters = 0.5\n\
             placement = \"{placement}\"\n[[strategy]]\nname = \"f\"\nkind = \"flooding\"\nttl = 3\n"
        )
    };
    for (placement, want_ultrapeer, pool) in [("ultrapeers", true, 40), ("leaves", false, 360)] {
        let s = scenario(&text(placement));
        let w = World::build(&s, 0).expect("world");
        let up = w.ultrapeers.as_ref().expect("two tiers");
        let roles = w.roles.as_ref().expect("roles");
        assert_eq!(roles.count(Role::Polluter), pool / 2, "{placement}");
        assert!((0..400).all(|p| !roles.is_polluter(p) || up[p as usize] == want_ultrapeer));
        let m = gnutsim::strategies::simulate(&s, &s.strategies[0], &w).metrics;
        // Polluting leaves list every object, so their ultrapeers pass them every query: most are fooled.
        assert!(
            m.fooled_rate().unwrap() > 0.5,
            "{placement}: {:?}",
            m.fooled_rate()
        );
    }
}

//! The client-server baseline against queueing theory, and load sharing against it.

use gnutsim::world::World;

use crate::common::scenario;

fn server_scenario(
    queries_per_s: f64,
    servers: u32,
    mu: f64,
    extra: &str,
    duration: f64,
) -> String {
    format!(
        r#"
seed = 4
duration = {duration}
warmup = 100.0
[network]
peers = 1000
latency = {{ dist = "constant", value = 0.005 }}
[topology]
kind = "random"
mean_degree = 6.0
[content]
objects = 100
replicas_mean = 5.0
[workload]
query_rate = {rate}
[[strategy]]
name = "server"
kind = "client-server"
servers = {servers}
service_rate = {mu}
{extra}
[[strategy]]
name = "flood"
kind = "flooding"
ttl = 4
"#,
        rate = queries_per_s / 1000.0
    )
}

fn run(text: &str, strategy: usize) -> gnutsim::metrics::RunMetrics {
    let s = scenario(text);
    let w = World::build(&s, 0).expect("world builds");
    gnutsim::strategies::simulate(&s, &s.strategies[strategy], &w).metrics
}

/// Erlang C: mean time in an M/M/c system (waiting + service), computed from the textbook formula.
fn erlang_c_sojourn(lambda: f64, mu: f64, c: u32) -> f64 {
    let a = lambda / mu;
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / k as f64;
        }
        sum += term;
    }
    let last = term * a / c as f64 * (c as f64 / (c as f64 - a));
    let p_wait = last / (sum + last);
    p_wait / (c as f64 * mu - lambda) + 1.0 / mu
}

#[test]
fn mm1_response_time_is_one_over_mu_minus_lambda() {
    // lambda = 80/s, mu = 100/s: mean time at the server 1/(mu - lambda) = 50 ms, plus 5 ms each way. At
    // rho = 0.8 the sample mean of 400,000 correlated response times has a standard error of about 0.7 ms
    // (Whitt's asymptotic variance for M/M/1), so 5% = 3 ms is over 4 standard errors.
    let m = run(&server_scenario(80.0, 1, 100.0, "", 5_100.0), 0);
    let want = 1.0 / (100.0 - 80.0) + 0.010;
    let got = m.mean_latency_s.unwrap();
    assert!((got - want).abs() < 0.05 * want, "{got} vs {want}");
    assert_eq!(m.successes, m.queries, "every object has copies");
    // One request and one answer per query; the answer is a hit.
    assert_eq!(m.messages, 2 * m.queries);
    assert_eq!((m.query_messages, m.hit_messages), (m.queries, m.queries));
    // Utilisation of one server is rho = lambda / mu.
    let u = m.server_utilisation.unwrap();
    assert!((u - 0.8).abs() < 0.02, "utilisation {u}");
}

#[test]
fn mm4_response_time_matches_erlang_c() {
    // lambda = 320/s over 4 servers of mu = 100/s (rho = 0.8): Erlang C gives 17.455 ms at the index.
    let sojourn = erlang_c_sojourn(320.0, 100.0, 4);
    assert!((sojourn - 0.017455).abs() < 1e-6, "{sojourn}");
    let m = run(&server_scenario(320.0, 4, 100.0, "", 1_600.0), 0);
    let want = sojourn + 0.010;
    let got = m.mean_latency_s.unwrap();
    assert!((got - want).abs() < 0.05 * want, "{got} vs {want}");
}

#[test]
fn a_full_server_queue_drops_the_excess_as_failures() {
    // rho = 1.5 with room for 10 waiting: in the long run the server serves mu = 100 of the 150 queries per
    // second, so about a third are dropped, and each counts as a failed query (fail_dropped).
    let m = run(
        &server_scenario(150.0, 1, 100.0, "queue_limit = 10", 1_100.0),
        0,
    );
    let dropped_share = m.fail_dropped as f64 / m.queries as f64;
    assert!((dropped_share - 1.0 / 3.0).abs() < 0.02, "{dropped_share}");
    assert_eq!(m.successes + m.fail_dropped, m.queries);
    assert_eq!(m.dropped_messages, m.fail_dropped);
    // Waiting is bounded by the queue: at most 11 services ahead, 110 ms on average, plus the network.
    assert!(m.mean_latency_s.unwrap() < 0.13);
}

#[test]
fn the_server_concentrates_load_that_flooding_spreads() {
    let text = server_scenario(20.0, 1, 100.0, "", 300.0);
    let server = run(&text, 0);
    let flood = run(&text, 1);
    assert!(
        server.load_gini > flood.load_gini + 0.3,
        "{} vs {}",
        server.load_gini,
        flood.load_gini
    );
    // The server handles every query (its load is one request per query), while each peer's load is only the
    // answers to its own queries.
    assert_eq!(server.load_max, server.queries as f64);
    // Flooding spreads its load, but pays for it in messages (each peer gets a copy from most neighbours).
    assert!(flood.messages_per_query().unwrap() > 50.0 * server.messages_per_query().unwrap());
}

#[test]
fn servers_upload_is_not_the_peers() {
    // Client-server: peers send requests (56 bytes), servers the answers (97): the peers' mean upload counts
    // only the requests, and the busiest peer is counted one by one when message_bytes is given.
    let text = r#"
seed = 1
duration = 100.0
[network]
peers = 50
message_bytes = { request = 1000, answer = 5000 }
[topology]
kind = "random"
mean_degree = 4.0
[content]
objects = 10
[workload]
query_rate = 0.05
[[strategy]]
name = "cs"
kind = "client-server"
service_rate = 1000.0
"#;
    let s = crate::common::scenario(text);
    let w = gnutsim::world::World::build(&s, 0).expect("world");
    let m = gnutsim::strategies::simulate(&s, &s.strategies[0], &w).metrics;
    assert!(m.queries > 100, "{}", m.queries);
    assert_eq!(m.bytes, m.queries * (1000 + 5000));
    assert!(
        (m.upload_kbps_mean - (m.queries * 1000) as f64 * 8.0 / 1000.0 / 100.0 / 50.0).abs() < 1e-9
    );
    let max = m.upload_kbps_max.expect("counted per peer");
    assert!(
        max >= m.upload_kbps_mean && max < 10.0 * m.upload_kbps_mean,
        "{max}"
    );
}

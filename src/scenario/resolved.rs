//! Writes a [`Scenario`] back as TOML with every default filled in: what `check` prints and what the results
//! folder keeps as `scenario.toml`. The output is itself a valid scenario file (it reproduces the run).

use std::fmt::Write;

use super::*;
use crate::dist::Dist;

/// TOML text of a float that stays a float when read back (`3600.0`, not `3600`).
fn float(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['.', 'e', 'E']) || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

/// A TOML basic string with escapes.
fn string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A strategy key's value as TOML.
fn key_value(v: &KeyValue) -> String {
    match v {
        KeyValue::Int(i) => i.to_string(),
        KeyValue::Float(x) => float(*x),
        KeyValue::Str(s) => string(s),
        KeyValue::Ints(list) => {
            let list: Vec<String> = list.iter().map(|i| i.to_string()).collect();
            format!("[{}]", list.join(", "))
        }
    }
}

/// A path as the resolved scenario writes it: absolute, so the file can be run from anywhere.
fn absolute(p: &std::path::Path) -> String {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

fn dist(d: &Dist) -> String {
    let params: Vec<String> = d
        .params()
        .iter()
        .map(|(k, v)| format!("{k} = {}", float(*v)))
        .collect();
    format!("{{ dist = \"{}\", {} }}", d.name(), params.join(", "))
}

/// The degree range solved for a power law's `mean_degree`, as a TOML comment: `# solved for mean_degree:
/// min_degree = 2, max_degree = 26 (...)`. Empty for a range given as is.
pub fn solved_comment(exponent: f64, degrees: &PowerLawDegrees) -> String {
    match *degrees {
        PowerLawDegrees::Mean {
            min_degree,
            max_degree,
            ..
        } => format!(
            "# solved for mean_degree: min_degree = {min_degree}, max_degree = {max_degree} (P(k) ~ k^-{exponent} \
             on {min_degree} ..= {max_degree} has mean {:.3})",
            crate::dist::powerlaw::truncated_mean(exponent, min_degree, max_degree)
        ),
        PowerLawDegrees::Range { .. } => String::new(),
    }
}

/// The resolved scenario as TOML text, headed by the gnutsim version that resolved it.
pub fn to_toml(s: &Scenario) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "gnutsim_version = {}", string(crate::VERSION));
    let _ = writeln!(o, "name = {}", string(&s.name));
    let _ = writeln!(o, "description = {}", string(&s.description));
    let _ = writeln!(o, "seed = {}", s.seed);
    let _ = writeln!(o, "replications = {}", s.replications);
    let _ = writeln!(o, "duration = {}", float(s.duration));
    let _ = writeln!(o, "warmup = {}", float(s.warmup));

    let _ = writeln!(o, "\n[network]");
    let _ = writeln!(o, "peers = {}", s.network.peers);
    let _ = writeln!(o, "latency = {}", dist(&s.network.latency));
    if let Some(tick) = s.network.latency_tick {
        let _ = writeln!(o, "latency_tick = {}", float(tick));
    }
    match &s.network.capacity {
        Some(c) => {
            let _ = writeln!(o, "capacity = {}", dist(c));
        }
        None => {
            let _ = writeln!(o, "# capacity: unlimited");
        }
    }
    if let Some(q) = s.network.queue_limit {
        let _ = writeln!(o, "queue_limit = {q}");
    }
    if let Some(u) = &s.network.upload {
        let _ = writeln!(o, "upload = {}", dist(u));
    }
    // The sizes `bytes` counts with; as a key only when given (it also switches per-peer upload counts on).
    let sizes: Vec<String> = s
        .network
        .message_bytes
        .entries()
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    let sizes = format!("message_bytes = {{ {} }}", sizes.join(", "));
    if s.network.message_bytes_given {
        let _ = writeln!(o, "{sizes}");
    } else {
        let _ = writeln!(o, "# {sizes} (the defaults)");
    }

    let _ = writeln!(o, "\n[topology]");
    let _ = writeln!(o, "kind = {}", string(s.topology.kind.name()));
    if let Some(label) = &s.topology.label {
        let _ = writeln!(o, "label = {}", string(label));
    }
    match &s.topology.kind {
        TopologyKind::Random { mean_degree } => {
            let _ = writeln!(o, "mean_degree = {}", float(*mean_degree));
        }
        TopologyKind::Regular { degree } => {
            let _ = writeln!(o, "degree = {degree}");
        }
        TopologyKind::PowerLaw { exponent, degrees } => {
            let _ = writeln!(o, "exponent = {}", float(*exponent));
            match degrees {
                PowerLawDegrees::Range {
                    min_degree,
                    max_degree,
                } => {
                    let _ = writeln!(o, "min_degree = {min_degree}");
                    let _ = writeln!(o, "max_degree = {max_degree}");
                }
                PowerLawDegrees::Mean {
                    mean_degree,
                    min_degree,
                    max_degree,
                    min_given,
                    max_given,
                } => {
                    // Only what the file fixed: the rest is solved again when this is read back (and under a
                    // sweep of mean_degree, solved per point).
                    let _ = writeln!(o, "mean_degree = {}", float(*mean_degree));
                    if *min_given {
                        let _ = writeln!(o, "min_degree = {min_degree}");
                    }
                    if *max_given {
                        let _ = writeln!(o, "max_degree = {max_degree}");
                    }
                    let _ = writeln!(o, "{}", solved_comment(*exponent, degrees));
                }
            }
        }
        TopologyKind::BarabasiAlbert { m } => {
            let _ = writeln!(o, "m = {m}");
        }
        TopologyKind::SmallWorld { degree, rewire } => {
            let _ = writeln!(o, "degree = {degree}");
            let _ = writeln!(o, "rewire = {}", float(*rewire));
        }
        TopologyKind::TwoTier {
            ultrapeer_share,
            ultrapeer_degree,
            leaf_links,
        } => {
            let _ = writeln!(o, "ultrapeer_share = {}", float(*ultrapeer_share));
            let _ = writeln!(o, "ultrapeer_degree = {ultrapeer_degree}");
            let _ = writeln!(o, "leaf_links = {leaf_links}");
        }
        TopologyKind::EdgeList { path } => {
            let _ = writeln!(o, "path = {}", string(&absolute(path)));
        }
    }

    let c = &s.content;
    let _ = writeln!(o, "\n[content]");
    if !super::any_searches(&s.strategies) {
        let _ = writeln!(
            o,
            "# broadcasts ask for no object: a scenario of broadcasts alone needs no [content]; this one stands in"
        );
    }
    let _ = writeln!(o, "objects = {}", c.objects);
    let _ = writeln!(o, "replication = {}", string(c.replication.name()));
    let _ = writeln!(o, "replicas_mean = {}", float(c.replicas_mean));
    match c.popularity {
        Popularity::Uniform => {
            let _ = writeln!(o, "popularity = {{ uniform = true }}");
        }
        Popularity::Zipf(a) => {
            let _ = writeln!(o, "popularity = {{ zipf = {} }}", float(a));
        }
    }

    let _ = writeln!(
        o,
        "replicate_on_hit = {}",
        string(c.replicate_on_hit.name())
    );

    let _ = writeln!(o, "\n[workload]");
    let _ = writeln!(o, "query_rate = {}", float(s.workload.query_rate));
    if let Some(tick) = s.workload.issue_tick {
        let _ = writeln!(o, "issue_tick = {}", float(tick));
    }

    churn_section(&mut o, &s.churn);

    if let Some(a) = &s.adversaries {
        let _ = writeln!(o, "\n[adversaries]");
        let _ = writeln!(o, "free_riders = {}", float(a.free_riders));
        let _ = writeln!(o, "droppers = {}", float(a.droppers));
        let _ = writeln!(o, "polluters = {}", float(a.polluters));
        let _ = writeln!(o, "placement = {}", string(a.placement.name()));
    }

    for st in &s.strategies {
        let _ = writeln!(o, "\n[[strategy]]");
        let _ = writeln!(o, "name = {}", string(&st.name));
        let _ = writeln!(o, "kind = {}", string(st.kind()));
        for (key, value) in st.spec.keys() {
            let _ = writeln!(o, "{key} = {}", key_value(&value));
        }
        if let Some(t) = st.timeout {
            let _ = writeln!(o, "timeout = {}", float(t));
        }
    }

    let _ = writeln!(o, "\n[output]");
    let _ = writeln!(o, "bucket = {}", float(s.output.bucket));
    let _ = writeln!(o, "queries = {}", s.output.queries);
    o
}

/// `[churn]` as the run used it: when churn is off, only that (session values would be invented: none took part).
fn churn_section(o: &mut String, ch: &Churn) {
    let _ = writeln!(o, "\n[churn]");
    let _ = writeln!(o, "enabled = {}", ch.enabled);
    if !ch.enabled {
        let _ = writeln!(o, "# every peer stays online for the whole run");
        return;
    }
    match &ch.trace {
        Some(path) => {
            let _ = writeln!(o, "trace = {}", string(&absolute(path)));
        }
        None => {
            let _ = writeln!(o, "session = {}", dist(&ch.session));
            let _ = writeln!(o, "downtime = {}", dist(&ch.downtime));
        }
    }
    match ch.initial_online {
        InitialOnline::Stationary => {
            let _ = writeln!(o, "initial_online = \"stationary\"");
        }
        InitialOnline::Fraction(f) => {
            let _ = writeln!(o, "initial_online = {}", float(f));
        }
    }
    let _ = writeln!(o, "target_degree = {}", ch.target_degree);
    let _ = writeln!(o, "min_degree = {}", ch.min_degree);
    let _ = writeln!(o, "repair = {}", ch.repair);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn resolved_scenario_reads_back_identically() {
        let text = r#"
duration = 60
[network]
peers = 50
latency_tick = 0.001
capacity = { dist = "uniform", min = 10, max = 20 }
queue_limit = 5
upload = { dist = "constant", value = 1e7 }
message_bytes = { hit = 300, inv = 10 }
[topology]
kind = "regular"
degree = 4
[content]
objects = 5
popularity = { zipf = 1 }
[workload]
query_rate = 0.1
issue_tick = 0.001
[adversaries]
free_riders = 0.1
droppers = 0.25
[[strategy]]
name = "a"
kind = "flooding"
timeout = 3
"#;
        let s = load_str(Path::new("dir/x.toml"), text, &[], crate::strategies::KINDS).unwrap();
        let again = load_str(
            Path::new("dir/x.toml"),
            &to_toml(&s),
            &[],
            crate::strategies::KINDS,
        )
        .unwrap();
        assert_eq!(s, again);
        assert_eq!(s.name, "x");
    }

    #[test]
    fn a_power_law_mean_reads_back_and_solves_the_same_way() {
        // Only the bounds the file gave are written back (the solved range as a comment), so reading the resolved
        // scenario solves the same range, and a sweep of mean_degree over it still solves per point.
        let text = |extra: &str| {
            format!(
                "duration = 60\n[network]\npeers = 20000\n[topology]\nkind = \"power-law\"\nexponent = 2.3\n\
                 mean_degree = 4.0\n{extra}[content]\nobjects = 5\n[workload]\nquery_rate = 0.1\n\
                 [[strategy]]\nname = \"a\"\nkind = \"flooding\"\n"
            )
        };
        for extra in ["", "min_degree = 2\n"] {
            let s = load_str(
                Path::new("x.toml"),
                &text(extra),
                &[],
                crate::strategies::KINDS,
            )
            .unwrap();
            let resolved = to_toml(&s);
            assert!(
                resolved.contains("# solved for mean_degree: min_degree = 2, max_degree = 26 "),
                "{resolved}"
            );
            let topology = &resolved
                [resolved.find("[topology]").unwrap()..resolved.find("[content]").unwrap()];
            assert_eq!(topology.contains("\nmin_degree = 2\n"), !extra.is_empty());
            assert!(!topology.contains("\nmax_degree = "));
            let again = load_str(
                Path::new("x.toml"),
                &resolved,
                &[],
                crate::strategies::KINDS,
            )
            .unwrap();
            assert_eq!(s, again);
            let six = load_str(
                Path::new("x.toml"),
                &resolved,
                &["topology.mean_degree=3.0".into()],
                crate::strategies::KINDS,
            )
            .unwrap();
            assert_ne!(six.topology, s.topology);
        }
    }
}

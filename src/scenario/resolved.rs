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

fn dist(d: &Dist) -> String {
    let params: Vec<String> = d
        .params()
        .iter()
        .map(|(k, v)| format!("{k} = {}", float(*v)))
        .collect();
    format!("{{ dist = \"{}\", {} }}", d.name(), params.join(", "))
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
    }

    let c = &s.content;
    let _ = writeln!(o, "\n[content]");
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

    let _ = writeln!(o, "\n[workload]");
    let _ = writeln!(o, "query_rate = {}", float(s.workload.query_rate));

    let _ = writeln!(o, "\n[churn]");
    let _ = writeln!(o, "enabled = {}", s.churn.enabled);

    for st in &s.strategies {
        let _ = writeln!(o, "\n[[strategy]]");
        let _ = writeln!(o, "name = {}", string(&st.name));
        let _ = writeln!(o, "kind = {}", string(st.kind.name()));
        match &st.kind {
            StrategyKind::Flooding { ttl } => {
                let _ = writeln!(o, "ttl = {ttl}");
            }
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
capacity = { dist = "uniform", min = 10, max = 20 }
queue_limit = 5
[topology]
kind = "regular"
degree = 4
[content]
objects = 5
popularity = { zipf = 1 }
[workload]
query_rate = 0.1
[[strategy]]
name = "a"
kind = "flooding"
timeout = 3
"#;
        let s = load_str(Path::new("dir/x.toml"), text, &[]).unwrap();
        let again = load_str(Path::new("dir/x.toml"), &to_toml(&s), &[]).unwrap();
        assert_eq!(s, again);
        assert_eq!(s.name, "x");
    }
}

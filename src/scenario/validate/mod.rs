//! The one place that rejects scenario input: turns the tree into a typed [`Scenario`], filling defaults
//! and naming the file, line and full dotted key of every mistake.

use std::path::Path;

mod adversaries;
mod churn;
mod topology;

use super::reader::{R, Reader};
use super::tree::{Table, Value};
use super::*;
use crate::dist::Dist;
use crate::error::Origin;

/// Largest peer count gnutsim accepts (peer ids are 32-bit).
pub const MAX_PEERS: i64 = 100_000_000;

/// Validates a whole document.
pub fn validate(file: &Path, doc: &Table, kinds: &[StrategyDef]) -> R<Scenario> {
    let mut top = Reader::new(file, "", doc, Origin::Default);
    let _version = top.opt_str("gnutsim_version")?;
    let name = top.opt_str("name")?.map(str::to_string).unwrap_or_else(|| {
        file.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into())
    });
    let description = top.opt_str("description")?.unwrap_or("").to_string();
    let seed = top.int_in("seed", 0, i64::MAX, "zero or a positive integer")?;
    let seed = seed.unwrap_or(1) as u64;
    let replications = top.int_in("replications", 1, 1_000_000, "between 1 and 1000000")?;
    let replications = replications.unwrap_or(1) as u32;
    let duration = top.f64_in("duration", |x| x > 0.0, "a positive number of seconds")?;
    let duration = top.required("duration", duration)?;
    let warmup = top.f64_in(
        "warmup",
        |x| x >= 0.0 && x < duration,
        "at least 0 and less than duration",
    )?;
    let warmup = warmup.unwrap_or(0.0);

    let mut net = top.opt_table("network")?;
    let network = match net.as_mut() {
        Some(t) => network(t)?,
        None => return Err(top.missing("network", "missing: the [network] table is required")),
    };
    if let Some(t) = net {
        t.finish()?;
    }
    let peers = network.peers;

    let base_dir = file.parent().unwrap_or(Path::new("."));
    let topology = match top.opt_table("topology")? {
        Some(t) => topology::topology(t, peers, base_dir)?,
        None => {
            return Err(top.missing("topology", "missing: the [topology] table is required"));
        }
    };
    let content = match top.opt_table("content")? {
        Some(t) => Some(content(t, peers)?),
        None => None,
    };
    let workload = match top.opt_table("workload")? {
        Some(t) => workload(t)?,
        None => return Err(top.missing("workload", "missing: the [workload] table is required")),
    };
    let churn = match top.opt_table("churn")? {
        Some(t) => churn::churn(t, peers, base_dir)?,
        None => Churn::disabled(),
    };
    // Broadcasts ask for no object: a scenario of broadcasts alone needs no [content] (one object stands in).
    let strategies = strategies(&mut top, kinds)?;
    let content = match content {
        Some(c) => c,
        None if !any_searches(&strategies) => Content::placeholder(),
        None => {
            return Err(top.missing(
                "content",
                "missing: the [content] table is required (only broadcasts need none)",
            ));
        }
    };
    let adversaries = match top.opt_table("adversaries")? {
        Some(t) => Some(adversaries::adversaries(
            t,
            peers,
            &topology,
            content.replicas_mean,
        )?),
        None => None,
    };
    let output = match top.opt_table("output")? {
        Some(t) => output(t, duration)?,
        None => Output {
            bucket: duration / 100.0,
            queries: false,
        },
    };
    // [sweep] is expanded by `sweep::expand` before validation; here it is only a known key.
    let _ = top.node("sweep");
    top.finish()?;
    Ok(Scenario {
        file: file.to_path_buf(),
        name,
        description,
        seed,
        replications,
        duration,
        warmup,
        network,
        topology,
        content,
        workload,
        churn,
        adversaries,
        strategies,
        output,
    })
}

fn network(t: &mut Reader) -> R<Network> {
    let peers = t.int_in(
        "peers",
        2,
        MAX_PEERS,
        &format!("an integer from 2 to {MAX_PEERS}"),
    )?;
    let peers = t.required("peers", peers)? as u32;
    let latency = t
        .opt_dist("latency", false)?
        .unwrap_or(Dist::Constant { value: 0.05 });
    let latency_tick = tick(t, "latency_tick")?;
    let capacity = t.opt_dist("capacity", true)?;
    let queue_limit = t.int_in("queue_limit", 0, u32::MAX as i64, "zero or more")?;
    let upload = t.opt_dist("upload", true)?;
    let (message_bytes, message_bytes_given) = message_bytes(t)?;
    if queue_limit.is_some() && capacity.is_none() {
        return Err(t.error(
            "queue_limit",
            "needs network.capacity: without a capacity peers never queue messages",
        ));
    }
    Ok(Network {
        peers,
        latency,
        latency_tick,
        capacity,
        queue_limit: queue_limit.map(|q| q as u32),
        upload,
        message_bytes,
        message_bytes_given,
    })
}

/// `network.message_bytes`: any of the wire kinds, each a whole number of bytes; the others keep their defaults.
fn message_bytes(t: &mut Reader) -> R<(MessageBytes, bool)> {
    let Some(mut m) = t.opt_table("message_bytes")? else {
        return Ok((MessageBytes::default(), false));
    };
    let mut b = MessageBytes::default();
    let what = "a whole number of bytes from 1 to 1000000000";
    for (key, slot) in [
        ("query", &mut b.query),
        ("hit", &mut b.hit),
        ("check", &mut b.check),
        ("request", &mut b.request),
        ("answer", &mut b.answer),
        ("inv", &mut b.inv),
        ("getdata", &mut b.getdata),
    ] {
        if let Some(v) = m.int_in(key, 1, 1_000_000_000, what)? {
            *slot = v as u32;
        }
    }
    m.finish()?;
    Ok((b, true))
}

/// A clock tick (`network.latency_tick`, `workload.issue_tick`): optional, a whole number of microseconds.
fn tick(t: &mut Reader, key: &'static str) -> R<Option<f64>> {
    t.f64_in(
        key,
        |x| (1e-6..=3600.0).contains(&x) && whole_microseconds(x),
        "a whole number of microseconds from 0.000001 to 3600 seconds, e.g. 0.001 for a millisecond clock",
    )
}

/// Whether `secs` is a whole number of microseconds, up to floating-point error in its decimal form.
fn whole_microseconds(secs: f64) -> bool {
    let us = secs * 1e6;
    (us - us.round()).abs() <= 1e-6 * us.max(1.0)
}

fn content(mut t: Reader, peers: u32) -> R<Content> {
    let objects = t.int_in("objects", 1, u32::MAX as i64 / 2, "a positive integer")?;
    let objects = t.required("objects", objects)? as u32;
    let replication = match t.opt_str("replication")? {
        None | Some("uniform") => Placement::Uniform,
        Some("proportional") => Placement::Proportional,
        Some("square-root") => Placement::SquareRoot,
        Some(other) => {
            return Err(t.error(
                "replication",
                format!(
                    "unknown placement \"{other}\" (allowed: uniform, proportional, square-root)"
                ),
            ));
        }
    };
    let max = (peers - 1) as f64;
    let replicas_mean = t.f64_in(
        "replicas_mean",
        |r| r > 0.0 && r <= max,
        &format!(
            "positive and at most peers - 1 = {} (copies sit on distinct peers, and a peer never \
             queries what it holds)",
            peers - 1
        ),
    )?;
    let replicas_mean = replicas_mean.unwrap_or(1.0);
    let popularity = match t.opt_table("popularity")? {
        None => Popularity::Uniform,
        Some(mut p) => {
            let zipf = p.f64_in("zipf", |s| (0.0..=10.0).contains(&s), "from 0 to 10")?;
            let uniform = p.opt_bool("uniform")?;
            let pop = match (zipf, uniform) {
                (Some(s), None) => Popularity::Zipf(s),
                (None, Some(true)) => Popularity::Uniform,
                (None, Some(false)) => {
                    return Err(p.error("uniform", "write { uniform = true } or { zipf = S }"));
                }
                (Some(_), Some(_)) => {
                    return Err(p.error("zipf", "give either zipf or uniform, not both"));
                }
                (None, None) => {
                    return Err(t.error("popularity", "write { uniform = true } or { zipf = S }"));
                }
            };
            p.finish()?;
            pop
        }
    };
    let replicate_on_hit = match t.opt_str("replicate_on_hit")? {
        None | Some("none") => ReplicateOnHit::None,
        Some("owner") => ReplicateOnHit::Owner,
        Some("path") => ReplicateOnHit::Path,
        Some(other) => {
            return Err(t.error(
                "replicate_on_hit",
                format!("unknown value \"{other}\" (allowed: none, owner, path)"),
            ));
        }
    };
    t.finish()?;
    Ok(Content {
        objects,
        replication,
        replicas_mean,
        popularity,
        replicate_on_hit,
    })
}

fn workload(mut t: Reader) -> R<Workload> {
    let rate = t.f64_in(
        "query_rate",
        |r| r > 0.0,
        "a positive rate (queries per online peer per second)",
    )?;
    let query_rate = t.required("query_rate", rate)?;
    let issue_tick = tick(&mut t, "issue_tick")?;
    t.finish()?;
    Ok(Workload {
        query_rate,
        issue_tick,
    })
}

fn strategies(top: &mut Reader, kinds: &[StrategyDef]) -> R<Vec<Strategy>> {
    let Some(node) = top.node("strategy") else {
        return Err(top.missing("strategy", "missing: add at least one [[strategy]] table"));
    };
    let Value::Array(items) = &node.value else {
        return Err(top.error(
            "strategy",
            "must be an array of tables: write each as [[strategy]]",
        ));
    };
    if items.is_empty() {
        return Err(top.error("strategy", "add at least one [[strategy]] table"));
    }
    let mut out: Vec<Strategy> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::Table(table) = &item.value else {
            return Err(top.error_at(
                &item.origin,
                &format!("strategy[{i}]"),
                "must be a table: write each strategy as [[strategy]]",
            ));
        };
        let mut t = Reader::new(
            top.file,
            &format!("strategy[{i}]"),
            table,
            item.origin.clone(),
        );
        let name = t.opt_str("name")?;
        let name = t.required("name", name)?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(t.error(
                "name",
                format!(
                    "\"{name}\" is not a usable name: use letters, digits, '-' and '_' (it names \
                     CSV rows and --set keys)"
                ),
            ));
        }
        if out.iter().any(|s| s.name == name) {
            return Err(t.error(
                "name",
                format!("two strategies are named \"{name}\": names must be unique"),
            ));
        }
        // From here on, keys are named by the strategy's name, as --set and [sweep] address them.
        let mut t = Reader::new(
            top.file,
            &format!("strategy.{name}"),
            table,
            item.origin.clone(),
        );
        t.read.push("name");
        let kind = t.opt_str("kind")?;
        let kind = t.required("kind", kind)?;
        let timeout = t.f64_in("timeout", |x| x > 0.0, "a positive number of seconds")?;
        let Some(def) = kinds.iter().find(|d| d.kind == kind) else {
            let allowed: Vec<&str> = kinds.iter().map(|d| d.kind).collect();
            return Err(t.error(
                "kind",
                format!(
                    "unknown strategy kind \"{kind}\" (allowed: {})",
                    allowed.join(", ")
                ),
            ));
        };
        let spec = (def.read)(&mut t)?;
        t.finish()?;
        out.push(Strategy {
            name: name.to_string(),
            spec,
            timeout,
        });
    }
    Ok(out)
}

fn output(mut t: Reader, duration: f64) -> R<Output> {
    let bucket = t.f64_in(
        "bucket",
        |b| b > 0.0 && b <= duration,
        "positive and at most duration",
    )?;
    // Keep the timeseries to a sane size: at most a million buckets per run.
    if let Some(b) = bucket
        && duration / b > 1e6
    {
        return Err(t.error(
            "bucket",
            format!("{b} s gives more than a million buckets over {duration} s"),
        ));
    }
    let queries = t.opt_bool("queries")?.unwrap_or(false);
    t.finish()?;
    Ok(Output {
        bucket: bucket.unwrap_or(duration / 100.0),
        queries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "t"
seed = 7
replications = 2
duration = 100.0

[network]
peers = 100
latency = { dist = "lognormal", median = 0.05, sigma = 0.5 }

[topology]
kind = "random"
mean_degree = 4.0

[content]
objects = 10
replicas_mean = 2.0
popularity = { zipf = 0.8 }

[workload]
query_rate = 0.01

[[strategy]]
name = "f7"
kind = "flooding"
ttl = 7
"#;

    fn load(text: &str, sets: &[&str]) -> R<Scenario> {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        load_str(Path::new("t.toml"), text, &sets, crate::strategies::KINDS)
    }

    #[test]
    fn good_scenario_fills_defaults() {
        let s = load(GOOD, &[]).unwrap();
        assert_eq!(s.network.peers, 100);
        assert_eq!(s.warmup, 0.0);
        assert_eq!(s.output.bucket, 1.0);
        assert_eq!(
            s.strategies[0].spec(),
            Some(&crate::protocols::flooding::FloodingSpec { ttl: 7 })
        );
        assert_eq!(s.content.popularity, Popularity::Zipf(0.8));
    }

    #[test]
    fn unknown_key_names_line_and_path() {
        let text = GOOD.replace("peers = 100", "peers = 100\npeerz = 3");
        let e = load(&text, &[]).unwrap_err();
        assert_eq!(e.key, "network.peerz");
        assert_eq!(e.origin, Origin::Line(9));
        assert!(
            e.to_string()
                .starts_with("t.toml:9: network.peerz: unknown key")
        );
    }

    #[test]
    fn wrong_type_and_range() {
        let e = load(&GOOD.replace("peers = 100", "peers = \"many\""), &[]).unwrap_err();
        assert_eq!(e.key, "network.peers");
        assert!(e.message.contains("integer"), "{e}");
        let e = load(&GOOD.replace("peers = 100", "peers = -5"), &[]).unwrap_err();
        assert_eq!(e.key, "network.peers");
        assert_eq!(e.origin, Origin::Line(8));
        let e = load(&GOOD.replace("ttl = 7", "ttl = 0"), &[]).unwrap_err();
        assert_eq!(e.key, "strategy.f7.ttl");
        let e = load(&GOOD.replace("sigma = 0.5", "sigma = -1.0"), &[]).unwrap_err();
        assert_eq!(e.key, "network.latency.sigma");
    }

    #[test]
    fn ticks_are_whole_microseconds() {
        // Both clock ticks share one check: unset by default, whole microseconds accepted, the rest rejected by key.
        type Tick = fn(&Scenario) -> Option<f64>;
        let ticks: [(&str, Tick); 2] = [
            ("network.latency_tick", |s| s.network.latency_tick),
            ("workload.issue_tick", |s| s.workload.issue_tick),
        ];
        for (key, tick) in ticks {
            assert_eq!(tick(&load(GOOD, &[]).unwrap()), None, "{key}");
            let ms = load(GOOD, &[&format!("{key}=0.001")]).unwrap();
            assert_eq!(tick(&ms), Some(0.001), "{key}");
            // 0.0007 s (700 us) is whole even though 0.0007 * 1e6 is not exactly 700 in binary.
            assert!(load(GOOD, &[&format!("{key}=0.0007")]).is_ok(), "{key}");
            for bad in ["0", "-0.001", "-1", "0.0000005", "0.0015005", "7200"] {
                let e = load(GOOD, &[&format!("{key}={bad}")]).unwrap_err();
                assert_eq!(e.key, key, "{bad}");
                assert!(e.message.contains("whole number of microseconds"), "{e}");
            }
        }
    }

    #[test]
    fn set_overrides_and_errors() {
        let s = load(GOOD, &["network.peers=200", "strategy.f7.ttl=3"]).unwrap();
        assert_eq!(s.network.peers, 200);
        assert_eq!(
            s.strategies[0].spec(),
            Some(&crate::protocols::flooding::FloodingSpec { ttl: 3 })
        );
        let e = load(GOOD, &["network.peerz=3"]).unwrap_err();
        assert_eq!(e.key, "network.peerz");
        assert_eq!(e.origin, Origin::Set("network.peerz=3".into()));
        let e = load(GOOD, &["network.peers=lots"]).unwrap_err();
        assert_eq!(e.key, "network.peers");
    }

    #[test]
    fn later_features_are_refused_not_ignored() {
        let s = load(
            &GOOD.replace(
                "\"random\"\nmean_degree = 4.0",
                "\"power-law\"\nexponent = 2.3",
            ),
            &[],
        )
        .unwrap();
        assert_eq!(
            s.topology.kind,
            TopologyKind::PowerLaw {
                exponent: 2.3,
                degrees: PowerLawDegrees::Range {
                    min_degree: 2,
                    max_degree: 99
                }
            }
        );
    }

    #[test]
    fn churn_keys_are_checked() {
        let ok = "\n[churn]\nsession = { dist = \"exponential\", mean = 10.0 }\n\
                  downtime = { dist = \"exponential\", mean = 10.0 }\n";
        let s = load(&format!("{GOOD}{ok}"), &[]).unwrap();
        assert!(
            s.churn.enabled,
            "a [churn] table without enabled means churn"
        );
        assert_eq!(s.churn.initial_online, InitialOnline::Stationary);
        let e = load(&format!("{GOOD}\n[churn]\nenabled = true\n"), &[]).unwrap_err();
        assert_eq!(e.key, "churn.session");
        let heavy = ok.replace(
            "{ dist = \"exponential\", mean = 10.0 }\ndowntime",
            "{ dist = \"pareto\", shape = 0.9, scale = 1.0 }\ndowntime",
        );
        let e = load(&format!("{GOOD}{heavy}"), &[]).unwrap_err();
        assert!(e.message.contains("stationary"), "{e}");
        let e = load(&format!("{GOOD}{ok}initial_online = 1.5\n"), &[]).unwrap_err();
        assert_eq!(e.key, "churn.initial_online");
        let s = load(&format!("{GOOD}{heavy}initial_online = 0.5\n"), &[]).unwrap();
        assert_eq!(s.churn.initial_online, InitialOnline::Fraction(0.5));
    }

    #[test]
    fn duplicate_names_and_missing_tables() {
        let text = format!("{GOOD}\n[[strategy]]\nname = \"f7\"\nkind = \"flooding\"\n");
        let e = load(&text, &[]).unwrap_err();
        assert!(e.message.contains("unique"));
        let e = load(&GOOD.replace("[workload]\nquery_rate = 0.01", ""), &[]).unwrap_err();
        assert_eq!(e.key, "workload");
    }
}

//! Fuzzing the scenario parser and validator: mutated scenarios must give an error or a scenario, never a
//! panic. The suite tries a few thousand inputs; `FUZZ_SECONDS=300 cargo test --release fuzz -- --nocapture`
//! runs for longer and prints how many inputs it tried.

use std::panic;
use std::path::Path;

use gnutsim::rng::{Stream, stream};
use gnutsim::scenario;
use rand::RngExt;

const SEEDS: &[&str] = &[
    include_str!("../../scenarios/quickstart.toml"),
    include_str!("../../scenarios/churn.toml"),
    include_str!("../../scenarios/topology-comparison.toml"),
    include_str!("../../scenarios/load-sharing.toml"),
    include_str!("../../scenarios/ttl-sweep.toml"),
    include_str!("../../scenarios/two-tier.toml"),
];

const NASTY: &[&str] = &[
    "-1",
    "0",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "0.0",
    "1.5",
    "\"\"",
    "\"x\"",
    "true",
    "[]",
    "[1, 2]",
    "{}",
    "{ dist = \"weibull\" }",
    "{ from = 1, to = 1000000000, step = 1 }",
    "1979-05-27T07:32:00Z",
    "\"stationary\"",
    "{ kind = \"regular\", degree = 3 }",
    "[[1]]",
    "\"\\u0000\"",
];

fn mutate(text: &str, rng: &mut gnutsim::rng::SimRng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..rng.random_range(1..4) {
        if lines.is_empty() {
            lines.push("x = 1".into());
        }
        let i = rng.random_range(0..lines.len());
        match rng.random_range(0..9) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                let j = rng.random_range(0..lines.len());
                lines.swap(i, j);
            }
            3 | 4 => {
                // Replace a value.
                if let Some(eq) = lines[i].find('=') {
                    let v = NASTY[rng.random_range(0..NASTY.len())];
                    lines[i] = format!("{}= {v}", &lines[i][..eq]);
                }
            }
            5 => {
                // Truncate a line anywhere (on a char boundary).
                let l = &lines[i];
                let cut = rng.random_range(0..=l.len());
                let cut = (0..=cut)
                    .rev()
                    .find(|&c| l.is_char_boundary(c))
                    .unwrap_or(0);
                lines[i] = l[..cut].to_string();
            }
            6 => {
                let junk: String = (0..rng.random_range(1..12))
                    .map(|_| {
                        [
                            '[', ']', '{', '}', '"', '=', '.', ',', '#', '\\', 'x', '1', ' ', '\'',
                        ][rng.random_range(0..14)]
                    })
                    .collect();
                lines.insert(i, junk);
            }
            7 => {
                let key = [
                    "peers", "ttl", "walkers", "seed", "kind", "dist", "sweep", "strategy",
                    "churn", "trace", "path",
                ][rng.random_range(0..11)];
                let v = NASTY[rng.random_range(0..NASTY.len())];
                lines.insert(i, format!("{key} = {v}"));
            }
            _ => {
                let header = [
                    "[network]",
                    "[[strategy]]",
                    "[sweep]",
                    "[churn]",
                    "[topology]",
                    "[content.popularity]",
                    "[output]",
                ][rng.random_range(0..7)];
                lines.insert(i, header.to_string());
            }
        }
    }
    lines.join("\n")
}

#[test]
fn mutated_scenarios_never_panic() {
    let seconds: f64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    let started = std::time::Instant::now();
    let mut rng = stream(31, Stream::Protocol);
    let mut tried = 0u64;
    let mut valid = 0u64;
    let path = Path::new("scenarios/fuzz.toml");
    loop {
        let base = SEEDS[rng.random_range(0..SEEDS.len())];
        let text = mutate(base, &mut rng);
        let result = panic::catch_unwind(|| {
            scenario::load_plan_str(path, &text, &[], gnutsim::strategies::KINDS)
        });
        match result {
            Ok(Ok(_)) => valid += 1,
            Ok(Err(e)) => assert!(!e.to_string().is_empty()),
            Err(_) => panic!("the validator panicked on:\n{text}"),
        }
        tried += 1;
        let done = if seconds > 0.0 {
            started.elapsed().as_secs_f64() > seconds
        } else {
            tried >= 20_000
        };
        if done {
            break;
        }
    }
    eprintln!(
        "fuzz: {tried} inputs tried, {valid} valid, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        valid > 0 && valid < tried,
        "the mutations should produce both valid and invalid scenarios"
    );
}

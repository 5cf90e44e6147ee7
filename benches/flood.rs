//! Engine benchmark (`cargo bench`): runs the scenarios of scenarios/bench/ with the release binary, one process
//! each (so peak memory is per scenario), and prints events/s and peak RSS from their timing.csv.
//!
//! `cargo bench -- 1e5` runs only the scenarios whose name contains "1e5".

use std::path::Path;
use std::process::Command;

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(root.join("scenarios/bench"))
        .expect("scenarios/bench exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .filter(|n| filter.as_ref().is_none_or(|f| n.contains(f.as_str())))
        .collect();
    names.sort();
    println!(
        "{:<28} {:>14} {:>10} {:>14} {:>12}",
        "scenario", "events", "loop s", "events/s", "peak RSS MB"
    );
    for name in names {
        let out =
            std::env::temp_dir().join(format!("gnutsim-bench-{}", name.trim_end_matches(".toml")));
        let status = Command::new(env!("CARGO_BIN_EXE_gnutsim"))
            .current_dir(root)
            .args(["run", &format!("scenarios/bench/{name}"), "--quiet", "-o"])
            .arg(&out)
            .status()
            .expect("gnutsim runs");
        assert!(status.success(), "{name} failed");
        let timing = std::fs::read_to_string(out.join("timing.csv")).expect("timing.csv");
        let (mut events, mut wall, mut rss) = (0u64, 0f64, 0f64);
        for line in timing.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            events += f[3].parse::<u64>().unwrap_or(0);
            wall += f[4].parse::<f64>().unwrap_or(0.0);
            rss = rss.max(f[6].parse::<f64>().unwrap_or(0.0));
        }
        println!(
            "{:<28} {:>14} {:>10.2} {:>14.0} {:>12.1}",
            name.trim_end_matches(".toml"),
            events,
            wall,
            events as f64 / wall.max(1e-9),
            rss
        );
        let _ = std::fs::remove_dir_all(&out);
    }
}

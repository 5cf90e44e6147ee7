//! `gnutsim validate`: the suite passes, writes its folder, and lists built-in scenarios that `run` takes.

use std::fs;

use crate::common::{gnutsim, gnutsim_ok, out_dir};

#[test]
fn the_suite_passes_and_writes_its_table_and_chart() {
    let dir = out_dir("validate");
    let d = dir.to_str().expect("utf-8 path");
    let text = gnutsim_ok(&["validate", "-o", d, "--threads", "2"]);
    let lines: Vec<&str> = text.lines().collect();
    let checks = gnutsim::validate::checks();
    assert!(checks.len() >= 12, "{} checks", checks.len());
    for c in &checks {
        assert!(
            lines.iter().any(|l| l.starts_with(c.name)),
            "no line for {}:\n{text}",
            c.name
        );
    }
    let rows = lines.len() - 1;
    assert_eq!(
        lines.last().copied(),
        Some(format!("reproduces {rows} of {rows} theoretical results").as_str())
    );
    let csv = fs::read_to_string(dir.join("validate.csv")).expect("validate.csv");
    let mut csv_lines = csv.lines();
    assert_eq!(
        csv_lines.next(),
        Some("check,what,measured,theory,tolerance,pass")
    );
    let body: Vec<&str> = csv_lines.collect();
    assert_eq!(body.len(), rows);
    assert!(body.iter().all(|l| l.ends_with(",true")), "{csv}");
    for f in ["validate.png", "validate.svg"] {
        assert!(
            fs::metadata(dir.join(f)).is_ok_and(|m| m.len() > 1000),
            "{f}"
        );
    }
}

#[test]
fn every_built_in_scenario_is_listed_and_runs_as_a_scenario_file() {
    let listing = gnutsim_ok(&["validate", "--list"]);
    let dir = out_dir("validate-scenarios");
    fs::create_dir_all(&dir).expect("folder");
    for c in gnutsim::validate::checks() {
        assert!(listing.contains(&format!("# {}: ", c.name)), "{}", c.name);
        for (file, text) in c.scenarios {
            assert!(listing.contains(text.trim_end()), "{file} not listed whole");
            // What --list prints is a scenario file `check` accepts as it is.
            let path = dir.join(file);
            fs::write(&path, text).expect("write");
            let o = gnutsim(&["check", path.to_str().expect("utf-8")]);
            assert!(
                o.status.success(),
                "{file}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}

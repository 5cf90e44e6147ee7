//! The README's tutorial runs as written: every `cargo run --release -- ...` line of its Tutorial section is run
//! here with the built binary, in a scratch copy of the scenarios (so the committed results stay untouched).

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::out_dir;

fn tutorial_commands() -> Vec<Vec<String>> {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let start = readme.find("## Tutorial").expect("a Tutorial section");
    let section = &readme[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
    section[..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("cargo run --release -- "))
        .map(|rest| {
            let command = rest.split('#').next().unwrap_or("").trim();
            command.split_whitespace().map(str::to_string).collect()
        })
        .collect()
}

#[test]
fn the_readme_tutorial_runs_as_written() {
    let commands = tutorial_commands();
    assert!(commands.len() >= 5, "{commands:?}");
    let dir = out_dir("tutorial");
    fs::create_dir_all(dir.join("scenarios")).expect("mkdir");
    for entry in
        fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")).expect("scenarios")
    {
        let path = entry.expect("entry").path();
        if path.is_file() {
            fs::copy(
                &path,
                dir.join("scenarios").join(path.file_name().expect("name")),
            )
            .expect("copy");
        }
    }
    for args in &commands {
        let o = Command::new(env!("CARGO_BIN_EXE_gnutsim"))
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("gnutsim runs");
        assert!(
            o.status.success(),
            "gnutsim {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        );
        if let Some(i) = args.iter().position(|a| a == "-o")
            && args.iter().any(|a| a == "html")
        {
            let page = fs::read_to_string(dir.join(&args[i + 1])).expect("the trace page");
            assert!(page.contains("id=\"trace\""), "no embedded trace");
        } else if args[0] == "trace" {
            let out = String::from_utf8_lossy(&o.stdout);
            assert!(out.contains("totals:") && out.contains("outcome:"), "{out}");
        }
    }
    for folder in ["quickstart", "ttl-sweep", "churn"] {
        assert!(
            dir.join("results")
                .join(folder)
                .join("report.html")
                .is_file(),
            "{folder}"
        );
    }
    // The plots the README shows exist under those names.
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    for image in readme.split("](results/").skip(1) {
        let path = image.split(')').next().expect("a path");
        assert!(
            dir.join("results").join(path).is_file(),
            "README shows results/{path}"
        );
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("results")
                .join(path)
                .is_file(),
            "committed: {path}"
        );
    }
}

//! Golden test: the quickstart's results, checked in under results/quickstart/, come out byte for byte.
//! After a change meant to change results, regenerate them with scripts/run-all.sh and commit them.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::out_dir;

#[test]
fn quickstart_matches_the_checked_in_results() {
    let dir = out_dir("golden-quickstart");
    let o = Command::new(env!("CARGO_BIN_EXE_gnutsim"))
        .args(["run", "scenarios/quickstart.toml", "--quiet", "-o"])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("gnutsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/quickstart");
    for file in [
        "runs.csv",
        "summary.csv",
        "timeseries.csv",
        "lorenz.csv",
        "content.csv",
    ] {
        let want = fs::read(golden.join(file)).expect("golden file");
        let got = fs::read(dir.join(file)).expect("new file");
        assert!(
            want == got,
            "{file} differs from results/quickstart/{file}: if the change is meant, run scripts/run-all.sh"
        );
    }
}

//! Power-law overlays with `mean_degree` (issue 17, item 2): the configuration model with the cutoff solved for
//! the mean, every peer at or above `min_degree`, and `check` showing the solved degrees.
//!
//! The reference values come from direct summation here, independent of the solver in the crate: the mean of
//! P(k) ∝ k^-a on [lo, hi] is Σ k^(1-a) / Σ k^-a.

use crate::common::gnutsim;

/// Mean of the truncated power law on [lo, hi], summed term by term.
fn truncated_mean(a: f64, lo: u32, hi: u32) -> f64 {
    let (mut z, mut m) = (0.0, 0.0);
    for k in lo..=hi {
        let p = (k as f64).powf(-a);
        z += p;
        m += k as f64 * p;
    }
    m / z
}

/// Variance of the truncated power law on [lo, hi], summed term by term.
fn truncated_variance(a: f64, lo: u32, hi: u32) -> f64 {
    let mean = truncated_mean(a, lo, hi);
    let (mut z, mut v) = (0.0, 0.0);
    for k in lo..=hi {
        let p = (k as f64).powf(-a);
        z += p;
        v += (k as f64 - mean).powi(2) * p;
    }
    v / z
}

fn topology_arg(exponent: f64, mean: f64, extra: &str) -> String {
    format!(
        "topology={{ kind = \"power-law\", exponent = {exponent}, mean_degree = {mean}{extra} }}"
    )
}

/// `gnutsim ARGS` on quickstart with 20,000 peers and the given topology: (exit code, stdout, stderr).
fn on_quickstart(command: &str, topology: &str) -> (Option<i32>, String, String) {
    let o = gnutsim(&[
        command,
        "scenarios/quickstart.toml",
        "--set",
        "network.peers=20000",
        "--set",
        topology,
    ]);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn stat(out: &str, key: &str) -> f64 {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key} in {out}"))
        .parse()
        .expect("a number")
}

/// The solved degrees `check` prints: `# solved for mean_degree: min_degree = A, max_degree = B ...`.
fn solved(out: &str) -> (u32, u32) {
    let line = out
        .lines()
        .find(|l| l.starts_with("# solved for mean_degree:"))
        .unwrap_or_else(|| panic!("check prints no solved degrees:\n{out}"));
    let num = |key: &str| -> u32 {
        let rest = &line[line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len()..];
        rest.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .expect("a whole number")
    };
    (num("min_degree = "), num("max_degree = "))
}

#[test]
fn mean_degree_overlays_are_connected_and_have_the_mean() {
    // The figures on 20,000 peers: min degree >= 1 (here >= the solved min_degree, 2 and 3), largest
    // component >= 99%, mean within 3%. Before the fix (Chung–Lu) 2.3/4 had 14% isolated peers and an 84%
    // giant component.
    // Why these tolerances hold: re-pairing keeps every drawn degree, so the realised mean is the mean of 20,000
    // i.i.d. draws from the solved law, whose own mean is within 0.1% of the target (checked below by direct
    // summation: 3.9967 and 6.0016); the draws' standard deviation over sqrt(20,000) is 0.64% and 0.66% of the
    // mean (computed below), so 3% is over 4 sigma beyond the solver's 0.1%. With every degree >= 2, a peer can
    // only be cut off in a component that closes on itself, which a sparse configuration model leaves to O(1)
    // peers, far below 1% (200 peers).
    for (exponent, mean, min) in [(2.3, 4.0, 2.0), (2.5, 6.0, 3.0)] {
        let (code, check, err) = on_quickstart("check", &topology_arg(exponent, mean, ""));
        assert_eq!(code, Some(0), "{err}");
        let (lo, hi) = solved(&check);
        assert_eq!(lo as f64, min, "{check}");
        let law = truncated_mean(exponent, lo, hi);
        assert!((law / mean - 1.0).abs() < 0.001, "{lo}..{hi}: {law}");
        let sd = (truncated_variance(exponent, lo, hi) / 20_000.0).sqrt();
        assert!(sd < 0.0067 * mean, "{sd}");

        let (code, out, err) = on_quickstart("topology", &topology_arg(exponent, mean, ""));
        assert_eq!(code, Some(0), "{err}");
        assert!(stat(&out, "min_degree") >= min, "{exponent}/{mean}: {out}");
        assert!(stat(&out, "max_degree") <= hi as f64, "{out}");
        assert!(
            stat(&out, "largest_component_share") >= 0.99,
            "{exponent}/{mean}: {out}"
        );
        let got = stat(&out, "mean_degree");
        assert!((got / mean - 1.0).abs() <= 0.03, "{exponent}/{mean}: {out}");
    }
}

#[test]
fn check_prints_the_solved_cutoff_and_moves_min_degree_only_when_it_must() {
    // Exponent 2.3, mean 4 on 20,000 peers: min_degree stays 2 and the cutoff is the integer whose truncated mean
    // is nearest 4 (the issue: "near 27"); it must be within 3%, and its neighbours no nearer.
    let (code, out, err) = on_quickstart("check", &topology_arg(2.3, 4.0, ""));
    assert_eq!(code, Some(0), "{err}");
    let (lo, hi) = solved(&out);
    assert_eq!(lo, 2);
    let off = |h: u32| (truncated_mean(2.3, 2, h) - 4.0).abs();
    assert!(off(hi) <= 0.03 * 4.0, "max_degree {hi}: {}", off(hi));
    assert!(off(hi) <= off(hi - 1) && off(hi) <= off(hi + 1), "{hi}");
    assert!((20..=35).contains(&hi), "the issue says near 27, got {hi}");

    // Exponent 2.5, mean 6: min 2 reaches at most the mean of [2, 19,999] (the issue: ~4.7), short of 6 by more
    // than 3%, so min_degree moves to 3, the nearest that can, with a cutoff near 50.
    assert!(truncated_mean(2.5, 2, 19_999) < 0.97 * 6.0);
    let (code, out, err) = on_quickstart("check", &topology_arg(2.5, 6.0, ""));
    assert_eq!(code, Some(0), "{err}");
    let (lo, hi) = solved(&out);
    assert_eq!(lo, 3);
    let off = |h: u32| (truncated_mean(2.5, 3, h) - 6.0).abs();
    assert!(off(hi) <= 0.03 * 6.0 && off(hi) <= off(hi - 1) && off(hi) <= off(hi + 1));
    assert!((40..=60).contains(&hi), "the issue says near 50, got {hi}");
    // The resolved scenario keeps what was asked, so it reads back and solves the same way.
    assert!(out.contains("mean_degree = 6.0"), "{out}");
}

#[test]
fn a_mean_out_of_reach_of_a_given_min_degree_is_refused_with_the_range() {
    // With min_degree = 2 given, exponent 2.5 on 20,000 peers reaches means from 2 (max_degree 2) to the mean of
    // [2, 19,999], 4.68 by direct summation: 6 is out of reach, exit 2 naming the key and the range.
    let top = truncated_mean(2.5, 2, 19_999);
    assert!((top - 4.68).abs() < 0.005, "{top}");
    let (code, _, err) = on_quickstart("check", &topology_arg(2.5, 6.0, ", min_degree = 2"));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("topology.mean_degree"), "{err}");
    assert!(err.contains("4.68"), "the reachable range in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    // Within reach, the given min_degree is kept and only the cutoff is solved.
    let (code, out, err) = on_quickstart("check", &topology_arg(2.5, 4.0, ", min_degree = 2"));
    assert_eq!(code, Some(0), "{err}");
    let (lo, hi) = solved(&out);
    assert_eq!(lo, 2);
    assert!((truncated_mean(2.5, 2, hi) / 4.0 - 1.0).abs() <= 0.03);
    assert!(
        out.contains("min_degree = 2\n"),
        "the given bound is kept: {out}"
    );
}

#[test]
fn degrees_that_cannot_be_wired_are_capped_never_below_min_degree() {
    // Exponent 1.5 with max_degree up to peers - 1 on 2000 peers draws hubs of nearly 2000 links: the largest
    // need more distinct partners than the others can give (Erdős–Gallai fails), so no simple graph has these
    // degrees. The largest draws are lowered to the highest cap that can be wired (checked here against the
    // peers - 1 the draws reach), and no peer ends below min_degree 2.
    let o = gnutsim(&[
        "topology",
        "scenarios/quickstart.toml",
        "--set",
        "topology={ kind = \"power-law\", exponent = 1.5 }",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stat(&out, "min_degree") >= 2.0, "{out}");
    assert!(stat(&out, "max_degree") < 1999.0, "{out}");
    assert_eq!(stat(&out, "components"), 1.0, "{out}");
}

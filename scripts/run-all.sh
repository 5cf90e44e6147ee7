#!/usr/bin/env bash
# Regenerates results/ for every shipped scenario (scenarios/*.toml; the benchmarks in scenarios/bench/ are
# run by scripts/bench.sh instead). The quickstart's CSVs double as the golden files of the test suite, so
# run this after any change that is meant to change results, and commit what it writes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
for scenario in scenarios/*.toml; do
    name=$(basename "$scenario" .toml)
    echo "== $name"
    ./target/release/gnutsim run "$scenario" -o "results/$name" --quiet
done
# The README's figure of a folder kept out of git.
mkdir -p docs/figures
cp results/bad-actors/plots/sweep_success_rate_vs_adversaries_droppers.png docs/figures/bad-actors-success.png
cp results/block-propagation/plots/sweep_t90_s_vs_strategy___payload_bytes.png docs/figures/block-propagation-t90.png
cp results/block-propagation/plots/point-4/coverage.png docs/figures/block-propagation-coverage-1mb.png
du -sh results

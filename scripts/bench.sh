#!/usr/bin/env bash
# Engine benchmark: events/s and peak memory for every scenario in scenarios/bench/ (or those matching $1).
# Same as `cargo bench -- [FILTER]`. With PEERSIM_HOME set to a folder of PeerSim 1.0.5's jars, PeerSim runs the same
# flood workload in the same run (scripts/peersim/README.md) and `x PS here` compares with it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench flood -- "${1:-}"

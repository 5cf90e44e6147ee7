#!/usr/bin/env bash
# Engine benchmark: events/s and peak memory for every scenario in scenarios/bench/ (or those matching $1).
# Same as `cargo bench -- [FILTER]`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench flood -- "${1:-}"

#!/usr/bin/env bash
# Shell test of scripts/parallel-sweep.sh on this one machine: the merged shards give the same runs.csv and
# summary.csv as an unsharded run. Needs GNU parallel (.ci/run installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release/gnutsim
out=target/tmp/test-output
mkdir -p "$out"
args=(--set duration=60.0 --set warmup=10.0 --set network.peers=800)
rm -rf "$out/psweep-whole" "$out/psweep-merged"
"$bin" run scenarios/ttl-sweep.toml -o "$out/psweep-whole" --quiet "${args[@]}"
GNUTSIM=$bin scripts/parallel-sweep.sh scenarios/ttl-sweep.toml "$out/psweep-merged" 3 -- "${args[@]}"
for f in runs.csv summary.csv timeseries.csv lorenz.csv content.csv scenario.toml; do
    cmp "$out/psweep-whole/$f" "$out/psweep-merged/$f" || { echo "parallel-sweep: $f differs" >&2; exit 1; }
done
echo "parallel-sweep.sh: merged shards match the unsharded run"

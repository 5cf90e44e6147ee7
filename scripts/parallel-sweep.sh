#!/usr/bin/env bash
# Runs a scenario's sweep as SHARDS shards with GNU parallel, on this machine or on several hosts, then merges
# them into one results folder, byte-identical to an unsharded run (timing.csv aside).
#
# usage: scripts/parallel-sweep.sh SCENARIO.toml OUTPUT_DIR [SHARDS] [-- extra `gnutsim run` arguments]
#
#   SHARDS      number of shards (default: the number of cores here)
#   HOSTS       e.g. HOSTS="4/node1,4/node2,:" to spread shards over hosts with ssh (GNU parallel --sshlogin
#               syntax; ":" is this machine). Every host must see this folder at the same path (a shared
#               filesystem) and have gnutsim built there.
#   GNUTSIM     the gnutsim binary (default: target/release/gnutsim, built if missing)
#
# Example: scripts/parallel-sweep.sh scenarios/ttl-sweep.toml results/ttl-sweep 4
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
scenario=$1
out=$2
shift 2
shards=$(nproc)
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    shards=$1
    shift
fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
extra=("$@")

command -v parallel >/dev/null || { echo "parallel-sweep.sh: GNU parallel is not installed (apt-get install parallel)" >&2; exit 1; }
bin=${GNUTSIM:-target/release/gnutsim}
if [ ! -x "$bin" ]; then
    cargo build --release --quiet
fi
bin=$(realpath "$bin")
here=$(pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/gnutsim-shards.XXXXXX")
trap 'rm -rf "$work"' EXIT
sshlogin=()
if [ -n "${HOSTS:-}" ]; then
    sshlogin=(--sshlogin "$HOSTS" --workdir "$here")
    # Remote shards write into the work folder: it must be on the shared filesystem too.
    work=$(mktemp -d "$here/.gnutsim-shards.XXXXXX")
fi

seq 1 "$shards" | parallel --will-cite "${sshlogin[@]}" --halt now,fail=1 \
    "$bin" run "$scenario" --shard "{}/$shards" -o "$work/shard-{}" --quiet --threads 1 "${extra[@]}"
"$bin" merge "$work"/shard-* -o "$out"
echo "parallel-sweep.sh: $shards shards merged into $out"

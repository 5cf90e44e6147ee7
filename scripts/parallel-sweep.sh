#!/usr/bin/env bash
# Runs a scenario's sweep as SHARDS shards with GNU parallel, on this machine or on several hosts, then merges
# them into one results folder, byte-identical to an unsharded run (timing.csv aside).
#
# usage: scripts/parallel-sweep.sh SCENARIO.toml OUTPUT_DIR [SHARDS] [-- extra `gnutsim run` arguments]
#
#   Paths are relative to the folder you run the script from. The scenario is checked first.
#   SHARDS      number of shards (default: the number of cores here)
#   HOSTS       e.g. HOSTS="4/node1,4/node2,:" to spread shards over hosts with ssh (GNU parallel --sshlogin
#               syntax; ":" is this machine). Every host must see the output's parent folder and gnutsim at
#               the same paths (a shared filesystem); the shards are written next to OUTPUT_DIR.
#   GNUTSIM     the gnutsim binary (default: the checkout's target/release/gnutsim, else gnutsim on PATH,
#               else built with cargo)
#
# Example: scripts/parallel-sweep.sh scenarios/ttl-sweep.toml results/ttl-sweep 4
set -euo pipefail
# No `cd`: relative paths are the caller's. The checkout is only used to find (or build) the binary.
repo=$(cd "$(dirname "$0")/.." && pwd)
abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

if [ $# -lt 2 ]; then
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
scenario=$(abs "$1")
out=$(abs "${2%/}")
shift 2
shards=$(nproc)
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    shards=$1
    shift
fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
extra=("$@")
case $shards in '' | *[!0-9]* | 0) echo "parallel-sweep.sh: SHARDS must be a positive integer, not '$shards'" >&2; exit 2 ;; esac

command -v parallel >/dev/null || { echo "parallel-sweep.sh: GNU parallel is not installed (apt-get install parallel)" >&2; exit 1; }
if [ -n "${GNUTSIM:-}" ]; then
    case $GNUTSIM in */*) bin=$(abs "$GNUTSIM") ;; *) bin=$(command -v "$GNUTSIM" || true) ;; esac
elif [ -x "$repo/target/release/gnutsim" ]; then
    bin=$repo/target/release/gnutsim
elif command -v gnutsim >/dev/null; then
    bin=$(command -v gnutsim)
else
    (cd "$repo" && cargo build --release --quiet)
    bin=$repo/target/release/gnutsim
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "parallel-sweep.sh: gnutsim binary not found (GNUTSIM=${GNUTSIM:-})" >&2; exit 1; }

# Check the scenario (with the run's --set overrides) before starting anything.
# ("$@" rather than the extra array: bash < 4.4 calls an empty array unbound under set -u.)
sets=()
prev=
for a in "$@"; do
    [ "$prev" = --set ] && sets+=(--set "$a")
    case $a in --set=*) sets+=("$a") ;; esac
    prev=$a
done
"$bin" check "$scenario" ${sets[@]+"${sets[@]}"} >/dev/null || {
    echo "parallel-sweep.sh: $scenario does not validate (see above); nothing run" >&2
    exit 1
}

sshlogin=()
if [ -n "${HOSTS:-}" ]; then
    # Remote shards write into the work folder: it must be on the shared filesystem, so it goes next to the
    # output rather than in this machine's /tmp.
    mkdir -p "$(dirname "$out")"
    work=$(mktemp -d "$(dirname "$out")/.gnutsim-shards.XXXXXX")
    sshlogin=(--sshlogin "$HOSTS" --workdir "$PWD")
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/gnutsim-shards.XXXXXX")
fi
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -q: GNU parallel quotes each word, so paths with spaces survive.
seq 1 "$shards" | parallel --will-cite -q ${sshlogin[@]+"${sshlogin[@]}"} --halt now,fail=1 \
    "$bin" run "$scenario" --shard "{}/$shards" -o "$work/shard-{}" --quiet --threads 1 ${extra[@]+"${extra[@]}"}
shard_dirs=()
for ((k = 1; k <= shards; k++)); do shard_dirs+=("$work/shard-$k"); done
"$bin" merge "${shard_dirs[@]}" -o "$out"
echo "parallel-sweep.sh: $shards shards merged into $out"

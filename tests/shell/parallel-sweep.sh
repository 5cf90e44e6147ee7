#!/usr/bin/env bash
# Shell test of scripts/parallel-sweep.sh on this one machine, run from a temporary folder outside the checkout
# (with a space in its name) with relative scenario, output and GNUTSIM paths: the merged shards give the same
# results as an unsharded run, locally and through GNU parallel's --sshlogin with HOSTS=":" (this machine, no
# ssh); nothing is written in the checkout and no work folder is left in TMPDIR or next to the output; a
# scenario that does not validate is refused before any shard runs. Needs GNU parallel (.ci/run installs it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=$repo/target/release/gnutsim
[ -x "$bin" ] || (cd "$repo" && cargo build --release --quiet)

t=$(mktemp -d "${TMPDIR:-/tmp}/gnutsim-parallel-test.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail() { echo "parallel-sweep test: $*" >&2; exit 1; }
mkdir -p "$t/tmp" "$t/my dir"
stamp=$t/stamp
touch "$stamp"
export TMPDIR=$t/tmp
cd "$t/my dir"
export GNUTSIM
GNUTSIM=$(realpath --relative-to=. "$bin")

# 7 TTLs x 3 replications = 21 (point, replication) slices, more than the shards.
cp "$repo/scenarios/ttl-sweep.toml" my.toml
args=(--set duration=60.0 --set warmup=10.0 --set network.peers=800)
"$bin" run my.toml -o whole --quiet "${args[@]}"

# 1. A scenario that does not validate (here through a --set): refused, naming the file, nothing run.
if "$repo/scripts/parallel-sweep.sh" my.toml res-bad 3 -- --set duration=-1 >out.txt 2>&1; then
    fail "an invalid scenario ran"
fi
grep -q 'my.toml does not validate' out.txt || fail "the refusal does not name my.toml: $(cat out.txt)"
[ ! -e res-bad ] || fail "res-bad was written"

# 2. Locally, then 3. through --sshlogin ":" (the work folder goes next to the output, then is removed).
"$repo/scripts/parallel-sweep.sh" my.toml res 3 -- "${args[@]}"
HOSTS=2/: "$repo/scripts/parallel-sweep.sh" my.toml out/res-hosts 3 -- "${args[@]}"
for d in res out/res-hosts; do
    for f in runs.csv summary.csv timeseries.csv lorenz.csv content.csv scenario.toml; do
        cmp "whole/$f" "$d/$f" || fail "$d/$f differs from the unsharded run"
    done
done
[ -z "$(ls -A "$t/tmp")" ] || fail "left in TMPDIR: $(ls -A "$t/tmp")"
[ "$(ls -A out)" = res-hosts ] || fail "left next to the output: $(ls -A out)"

# Nothing written in the checkout (outside .git).
changed=$(find "$repo" -path "$repo/.git" -prune -o -newer "$stamp" -print | head)
[ -z "$changed" ] || fail "written inside the checkout: $changed"

# Keep the merged folder where .ci/run checks results folders against SPEC.md.
mkdir -p "$repo/target/tmp/test-output"
rm -rf "$repo/target/tmp/test-output/psweep-merged"
cp -r res "$repo/target/tmp/test-output/psweep-merged"
echo "parallel-sweep.sh: merged shards match the unsharded run (locally and with HOSTS), relative paths, no leftovers"

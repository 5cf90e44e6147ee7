#!/usr/bin/env bash
# Shell test of scripts/slurm-sweep.sh with a fake `sbatch` on PATH that runs each job locally at submission
# (array tasks with SLURM_ARRAY_TASK_ID set, output to --output), so the whole flow runs end to end. Run from a
# temporary folder outside the checkout with relative paths: they resolve there, and nothing is written in the
# checkout or left in TMPDIR. Checks: the merged folder matches an unsharded run; the merge job depends on the
# array with afterany; a scenario that does not validate is refused before any sbatch call; a failed shard
# makes the merge job fail naming it, without merging.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=$repo/target/release/gnutsim
[ -x "$bin" ] || (cd "$repo" && cargo build --release --quiet)

t=$(mktemp -d "${TMPDIR:-/tmp}/gnutsim-slurm-test.XXXXXX")
trap 'rm -rf "$t"' EXIT
fail() { echo "slurm-sweep test: $*" >&2; exit 1; }
mkdir -p "$t/bin" "$t/tmp" "$t/my dir"
stamp=$t/stamp
touch "$stamp"

# The fake sbatch: records its arguments (one call a line), numbers jobs from 1000, prints the id as real
# sbatch does (`--parsable`: the id alone), and runs the job script now. FAKE_SBATCH_FAIL_TASK=K makes array
# task K fail without running (a node that died). Each job's exit status goes to $FAKE_SBATCH_DIR/status.
cat >"$t/bin/sbatch" <<'SBATCH'
#!/usr/bin/env bash
set -u
d=$FAKE_SBATCH_DIR
printf '%q ' "$@" >>"$d/calls"
echo >>"$d/calls"
id=$(($(cat "$d/next" 2>/dev/null || echo 1000) + 1))
echo "$id" >"$d/next"
parsable=0 array= output=slurm-%j.out script=
for a in "$@"; do
    case $a in
        --parsable) parsable=1 ;;
        --array=*) array=${a#--array=} ;;
        --output=*) output=${a#--output=} ;;
        -*) ;;
        *) [ -n "$script" ] || script=$a ;;
    esac
done
[ -f "$script" ] || { echo "sbatch: error: no batch script '$script'" >&2; exit 1; }
run() { # task id (or empty)
    local o=${output//%j/$id}
    o=${o//%a/$1}
    if [ -n "$1" ] && [ "$1" = "${FAKE_SBATCH_FAIL_TASK:-}" ]; then
        echo "fake node failure" >"$o"
        echo "$id${1:+_$1} 1" >>"$d/status"
        return
    fi
    SLURM_JOB_ID=$id SLURM_ARRAY_TASK_ID=$1 sh "$script" >"$o" 2>&1
    echo "$id${1:+_$1} $?" >>"$d/status"
}
if [ -n "$array" ]; then
    for ((k = ${array%-*}; k <= ${array#*-}; k++)); do run "$k"; done
else
    run ""
fi
if [ "$parsable" = 1 ]; then echo "$id"; else echo "Submitted batch job $id"; fi
SBATCH
chmod +x "$t/bin/sbatch"
export PATH="$t/bin:$PATH" FAKE_SBATCH_DIR=$t TMPDIR=$t/tmp
unset GNUTSIM

# A small sweep: 7 TTLs x 3 replications = 21 (point, replication) slices, more than the shards.
cd "$t/my dir"
sed -e 's/^duration = .*/duration = 60.0/' -e 's/^warmup = .*/warmup = 10.0/' -e 's/^peers = .*/peers = 800/' \
    "$repo/scenarios/ttl-sweep.toml" >my.toml
"$bin" run my.toml -o whole --quiet

# 1. A scenario that does not validate: refused, naming the file, before any sbatch call.
printf 'name = "broken"\n' >bad.toml
if "$repo/scripts/slurm-sweep.sh" bad.toml res-bad 3 >out.txt 2>&1; then fail "bad.toml was submitted"; fi
grep -q 'bad.toml' out.txt || fail "the refusal does not name bad.toml: $(cat out.txt)"
[ ! -e "$t/calls" ] || fail "sbatch was called for a scenario that does not validate"
[ ! -e res-bad.shards ] || fail "res-bad.shards was created for a scenario that does not validate"

# 2. The whole flow, relative paths from the caller's folder.
"$repo/scripts/slurm-sweep.sh" my.toml res 3 --time=00:10:00
[ "$(wc -l <"$t/calls")" = 2 ] || fail "expected 2 sbatch calls: $(cat "$t/calls")"
grep -q -- '--array=1-3' <(sed -n 1p "$t/calls") || fail "the shards are not a 1-3 array: $(sed -n 1p "$t/calls")"
grep -q -- '--dependency=afterany:1001 ' <(sed -n 2p "$t/calls") || fail "the merge does not depend on the array with afterany: $(sed -n 2p "$t/calls")"
grep -q -- '--time=00:10:00' <(sed -n 2p "$t/calls") || fail "sbatch options are not passed to the merge"
grep -qv ' 0$' "$t/status" && fail "a job failed: $(cat "$t/status"; cat res.shards/*.log)"
for f in runs.csv summary.csv timeseries.csv lorenz.csv content.csv scenario.toml; do
    cmp whole/$f res/$f || fail "$f differs from the unsharded run"
done
[ -d "$t/my dir/res.shards/shard-3" ] || fail "the shards are not in res.shards next to res"

# 3. A shard that fails: the merge job still runs (afterany), fails, names the shard, and merges nothing.
: >"$t/status"
FAKE_SBATCH_FAIL_TASK=2 "$repo/scripts/slurm-sweep.sh" my.toml res-failed 3
grep -q '^1004 1$' "$t/status" || fail "the merge job did not fail with a failed shard: $(cat "$t/status")"
grep -q 'shard(s) 2 of 3 failed' res-failed.shards/merge.log || fail "the merge log does not name shard 2: $(cat res-failed.shards/merge.log)"
[ ! -e res-failed ] || fail "a partial merge was written"

# 4. Resubmitting over existing shards is refused (their success markers would hide failures).
if "$repo/scripts/slurm-sweep.sh" my.toml res 3 2>/dev/null; then fail "resubmitted over res.shards"; fi

# Nothing written in the checkout (outside .git), nothing left in TMPDIR.
changed=$(find "$repo" -path "$repo/.git" -prune -o -newer "$stamp" -print | head)
[ -z "$changed" ] || fail "written inside the checkout: $changed"
[ -z "$(ls -A "$t/tmp")" ] || fail "left in TMPDIR: $(ls -A "$t/tmp")"
echo "slurm-sweep.sh: relative paths, check before submitting, afterany merge, failed shard reported"

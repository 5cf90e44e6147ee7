#!/usr/bin/env bash
# Submits a scenario's sweep to Slurm as a job array of SHARDS shards, followed by a merge job that runs when
# every shard has ended and merges them, or reports the shards that failed. The merged folder is byte-identical
# to an unsharded run (timing.csv aside).
#
# usage: scripts/slurm-sweep.sh SCENARIO.toml OUTPUT_DIR SHARDS [sbatch options...]
#
# Run it on the cluster's login node, on a filesystem the compute nodes share, after `cargo build --release`
# (or with gnutsim on PATH, or GNUTSIM=/path/to/gnutsim). Paths are relative to the folder you run it from.
# The scenario is checked (`gnutsim check`) before anything is submitted. sbatch options (partition, time,
# memory) apply to every job, e.g.
#   scripts/slurm-sweep.sh scenarios/load-sharing.toml results/load-sharing 10 --partition=short --time=01:00:00
# Shards and logs go to OUTPUT_DIR.shards/ and are left there after the merge (delete them when satisfied).
set -euo pipefail
# No `cd`: relative paths are the caller's. The checkout is only used to find the binary.
repo=$(cd "$(dirname "$0")/.." && pwd)
abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

if [ $# -lt 3 ]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
scenario=$(abs "$1")
out=$(abs "${2%/}")
shards=$3
shift 3
case $shards in '' | *[!0-9]* | 0) echo "slurm-sweep.sh: SHARDS must be a positive integer, not '$shards'" >&2; exit 2 ;; esac

if [ -n "${GNUTSIM:-}" ]; then
    case $GNUTSIM in */*) bin=$(abs "$GNUTSIM") ;; *) bin=$(command -v "$GNUTSIM" || true) ;; esac
elif [ -x "$repo/target/release/gnutsim" ]; then
    bin=$repo/target/release/gnutsim
else
    bin=$(command -v gnutsim || true)
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "slurm-sweep.sh: gnutsim not found: build it first (cargo build --release) or set GNUTSIM" >&2; exit 1; }

# A scenario that does not validate would only fail on a compute node, after queueing: refuse it here.
"$bin" check "$scenario" >/dev/null || {
    echo "slurm-sweep.sh: $scenario does not validate (see above); nothing submitted" >&2
    exit 1
}
command -v sbatch >/dev/null || { echo "slurm-sweep.sh: sbatch not found (is this a Slurm login node?)" >&2; exit 1; }

work="$out.shards"
# Leftover success markers from an earlier submission would hide this one's failures.
if [ -e "$work" ]; then
    echo "slurm-sweep.sh: $work already exists (an earlier submission?): remove it or choose another OUTPUT_DIR" >&2
    exit 1
fi
mkdir -p "$work"
q() { printf '%q' "$1"; }

# Each shard leaves shard-K.ok when it has succeeded; the merge job uses them to name the shards that failed.
cat >"$work/shard.sh" <<EOF
#!/bin/sh
set -e
k=\$SLURM_ARRAY_TASK_ID
$(q "$bin") run $(q "$scenario") --shard "\$k/$shards" -o $(q "$work")/shard-"\$k" --quiet --threads 1
touch $(q "$work")/shard-"\$k".ok
EOF
# The merge runs after every shard has ended (afterany: with afterok a failed shard would leave it pending
# forever), reports the shards that failed, and otherwise merges; `gnutsim merge` checks the set is complete.
cat >"$work/merge.sh" <<EOF
#!/bin/sh
failed=
set --
k=1
while [ "\$k" -le $shards ]; do
    [ -e $(q "$work")/shard-"\$k".ok ] || failed="\$failed \$k"
    set -- "\$@" $(q "$work")/shard-"\$k"
    k=\$((k + 1))
done
if [ -n "\$failed" ]; then
    echo "gnutsim-merge: shard(s)\$failed of $shards failed or did not run (see "$(q "$work")"/shard-K.log); nothing merged." >&2
    echo "gnutsim-merge: resubmit, or merge what exists with: gnutsim merge --partial "$(q "$work")"/shard-*/ -o "$(q "$out") >&2
    exit 1
fi
exec $(q "$bin") merge "\$@" -o $(q "$out")
EOF
chmod +x "$work/shard.sh" "$work/merge.sh"

array=$(sbatch --parsable --job-name=gnutsim-shard --array="1-$shards" --cpus-per-task=1 \
    --output="$work/shard-%a.log" "$@" "$work/shard.sh")
array=${array%%;*}
merge=$(sbatch --parsable --job-name=gnutsim-merge --dependency="afterany:$array" --kill-on-invalid-dep=yes \
    --output="$work/merge.log" "$@" "$work/merge.sh")
merge=${merge%%;*}
echo "slurm-sweep.sh: submitted shards as job $array and the merge as job $merge; results in $out (logs in $work)"

#!/usr/bin/env bash
# Submits a scenario's sweep to Slurm as a job array of SHARDS shards, followed by a merge job that runs when
# every shard has succeeded. The merged folder is byte-identical to an unsharded run (timing.csv aside).
#
# usage: scripts/slurm-sweep.sh SCENARIO.toml OUTPUT_DIR SHARDS [sbatch options...]
#
# Run it from the gnutsim folder on the cluster's login node, on a filesystem the compute nodes share, after
# `cargo build --release`. sbatch options (partition, time, memory) apply to every job, e.g.
#   scripts/slurm-sweep.sh scenarios/load-sharing.toml results/load-sharing 10 --partition=short --time=01:00:00
# Shards go to OUTPUT_DIR.shards/ and are left there after the merge (delete them when satisfied).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 3 ]; then
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
scenario=$1
out=$2
shards=$3
shift 3
command -v sbatch >/dev/null || { echo "slurm-sweep.sh: sbatch not found (is this a Slurm login node?)" >&2; exit 1; }
bin=$(realpath "${GNUTSIM:-target/release/gnutsim}")
[ -x "$bin" ] || { echo "slurm-sweep.sh: build gnutsim first (cargo build --release)" >&2; exit 1; }
work="${out%/}.shards"
mkdir -p "$work"

array=$(sbatch --parsable --job-name=gnutsim-shard --array="1-$shards" --cpus-per-task=1 \
    --output="$work/shard-%a.log" "$@" \
    --wrap "$bin run $scenario --shard \$SLURM_ARRAY_TASK_ID/$shards -o $work/shard-\$SLURM_ARRAY_TASK_ID --quiet --threads 1")
merge=$(sbatch --parsable --job-name=gnutsim-merge --dependency="afterok:$array" \
    --output="$work/merge.log" "$@" \
    --wrap "$bin merge $work/shard-* -o $out")
echo "slurm-sweep.sh: submitted shards as job $array and the merge as job $merge; results in $out"

#!/usr/bin/env bash
# Sharded reproduction on Slurm: a job array with one task per shard, then a merge job that starts when every task has
# ended (afterany: a failed shard leaves its papers incomplete; the merge lists the cells it lacks and exits 3).
#
# From the repository root, on a login node whose file system the compute nodes share:
#   BUDGET=full SHARDS=8 environment/slurm/reproduce-array.sh
# Settings (environment variables): BUDGET (smoke|full, default smoke), SHARDS (default 4), SEEDS (default 1,2,3),
# ONLY (families or slugs, space-separated; default every paper), OUT (default runs/sharded-<budget>), SBATCH_ARGS
# (extra sbatch options for every job, e.g. "--partition=cpu --account=lab"). Shard K writes OUT/shard-K; the merge
# writes OUT/merged (REPRODUCTIONS.md, scoreboard.html, every paper's results). Every step calls the runner; nothing here
# judges a result. Written for Slurm and not run from this repository: see environment/README.md.
#SBATCH --job-name=palimpsest
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=06:00:00
#SBATCH --output=palimpsest-%A_%a.out
set -euo pipefail

BUDGET="${BUDGET:-smoke}"
SHARDS="${SHARDS:-4}"
SEEDS="${SEEDS:-1,2,3}"
ONLY="${ONLY:-}"
palimpsest() { dotnet src/Palimpsest.Cli/bin/lib/palimpsest.dll "$@"; }

case "${MODE:-submit}" in
  submit)
    script="$(realpath "$0")"
    cd "$(dirname "$script")/../.."
    OUT="$(realpath -m "${OUT:-runs/sharded-$BUDGET}")"
    # Build once, here, so that the tasks only run the runner (and never race to rebuild bin/lib/).
    dotnet build src/Palimpsest.Cli -c Release
    read -ra extra <<< "${SBATCH_ARGS:-}"
    # The settings reach the jobs through the environment (--export=ALL), since SEEDS holds commas.
    export BUDGET SHARDS SEEDS ONLY OUT
    array=$(MODE=shard sbatch --parsable --export=ALL "${extra[@]}" --array="1-$SHARDS" "$script")
    array="${array%%;*}"   # "jobid;cluster" on multi-cluster sites
    merge=$(MODE=merge sbatch --parsable --export=ALL "${extra[@]}" --dependency="afterany:$array" --cpus-per-task=1 \
      --time=00:30:00 --output="palimpsest-merge-%j.out" "$script")
    echo "submitted: shards $array (1-$SHARDS), merge ${merge%%;*}; results in $OUT/merged"
    ;;
  shard)
    cd "$SLURM_SUBMIT_DIR"
    only=()
    if [ -n "$ONLY" ]; then read -ra selected <<< "$ONLY"; only=(--only "${selected[@]}"); fi
    palimpsest reproduce --budget "$BUDGET" --seeds "$SEEDS" "${only[@]}" --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" \
      --threads "${SLURM_CPUS_PER_TASK:-2}" --out "$OUT/shard-$SLURM_ARRAY_TASK_ID"
    ;;
  merge)
    cd "$SLURM_SUBMIT_DIR"
    # Exit 3: merged, but cells are missing (listed in this job's output); their papers show as incomplete.
    palimpsest merge "$OUT"/shard-* --out "$OUT/merged"
    ;;
  *)
    echo "reproduce-array.sh: unknown MODE '$MODE'; allowed: submit (default), shard, merge" >&2
    exit 2
    ;;
esac

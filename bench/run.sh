#!/usr/bin/env bash
# Times rel on a large release repository (10,000 releases, 100,000
# incidents, 10,000 rel commits) against the targets of issues 2 to 5.
# See bench/README.md.
#
#   bench/run.sh            generate a repository in a temporary folder, time, delete it
#   bench/run.sh DIR        time on DIR; generate it there first when DIR does not exist
#
# Environment: BENCH_RUNS (timed runs per command, default 10),
# BENCH_RELEASES, BENCH_INCIDENTS, BENCH_LOG_COMMITS (sizes of a generated
# repository: 10000, 100000, 10000), BENCH_FULL_HISTORY=1 (ticks, approvals
# and health reports as history events and commits of their own),
# BENCH_KEEP=1 (keep the temporary folder), BENCH_NO_HYPERFINE=1 (time with
# the plain loop even when hyperfine is installed), BENCH_REL (another rel
# binary to time, e.g. a build from an earlier commit).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${BENCH_RUNS:-10}
target_dir=${CARGO_TARGET_DIR:-$root/target}
rel=${BENCH_REL:-$target_dir/release/rel}
gen="$target_dir/release/examples/gen_bench_repo"

echo "== building (cargo build --release)" >&2
(cd "$root" && cargo build --release --quiet --bin rel --example gen_bench_repo)

work=$(mktemp -d "${TMPDIR:-/tmp}/rel-bench.XXXXXX")
repo=${1:-$work/repo}
# The temporary folder goes, unless it holds a generated repository to keep.
cleanup() {
    if [ "${BENCH_KEEP:-0}" = 1 ] && [ -d "$work/repo" ]; then
        echo "kept $work/repo (reuse it: bench/run.sh $work/repo)" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

# Hermetic: no user or system git config, a fixed clock and actor.
export HOME="$work/home"
mkdir -p "$HOME"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export REL_NOW=2026-11-25T12:00:00Z
export REL_ACTOR="Bench <bench@example.com>"
export NO_COLOR=1

if [ ! -e "$repo" ]; then
    echo "== generating $repo" >&2
    full=()
    if [ "${BENCH_FULL_HISTORY:-0}" = 1 ]; then full=(--full-history); fi
    "$gen" "$repo" \
        --releases "${BENCH_RELEASES:-10000}" \
        --incidents "${BENCH_INCIDENTS:-100000}" \
        --log-commits "${BENCH_LOG_COMMITS:-10000}" "${full[@]}" >/dev/null
fi
if [ ! -f "$repo/.git/rel-bench.env" ]; then
    echo "$repo was not made by gen_bench_repo (no .git/rel-bench.env)" >&2
    exit 2
fi
# shellcheck disable=SC1091
. "$repo/.git/rel-bench.env"
base=$(git -C "$repo" rev-parse HEAD)
reset="git -C $repo reset -q --hard $base"
# Leave a reused repository as it was found, even after a failed write.
trap '$reset; cleanup' EXIT

have_hyperfine=0
if [ "${BENCH_NO_HYPERFINE:-0}" != 1 ] && command -v hyperfine >/dev/null; then
    have_hyperfine=1
else
    echo "timing with a plain loop (for hyperfine: apt-get install -y hyperfine)" >&2
fi

echo "== $BENCH_RELEASES releases, $BENCH_INCIDENTS incidents, $BENCH_LOG_COMMITS rel commits" \
    "($repo); $runs runs each, $(nproc) cores" >&2

results=()   # "name|mean ms|min ms|target ms|note"

# Mean and minimum of a list of nanosecond durations, in ms.
stats() {
    awk '{ s += $1; if (min == "" || $1 < min) min = $1 }
         END { printf "%.0f %.0f\n", s / NR / 1e6, min / 1e6 }'
}

# time_cmd NAME TARGET_MS PREPARE ALLOWED_EXITS CMD...
# Runs CMD once to check it works (skipping it, with a note, when the
# subcommand is not available yet), then times it.
time_cmd() {
    local name=$1 target=$2 prepare=$3 allowed=$4
    shift 4
    local out rc=0 t0 t1
    [ -n "$prepare" ] && eval "$prepare"
    t0=$(date +%s%N)
    out=$("$@" 2>&1 >/dev/null) || rc=$?
    t1=$(date +%s%N)
    if [ "$rc" = 2 ] && grep -q "not available" <<<"$out"; then
        echo "-- $name: skipped, not available in this build" >&2
        results+=("$name|-|-|$target|skipped: not available yet")
        return
    fi
    if ! grep -qw -- "$rc" <<<"$allowed"; then
        echo "-- $name: exit $rc (expected $allowed): $out" >&2
        results+=("$name|-|-|$target|FAILED: exit $rc")
        return
    fi
    # A slow command gets fewer runs.
    local n=$runs
    if [ $(((t1 - t0) / 1000000)) -gt 3000 ] && [ "$n" -gt 3 ]; then n=3; fi
    echo "-- $name ($n runs)" >&2
    local mean min
    if [ "$have_hyperfine" = 1 ]; then
        local csv="$work/hyperfine.csv"
        local args=(-N --style basic --warmup 1 --runs "$n" --export-csv "$csv" -n "$name")
        [ -n "$prepare" ] && args+=(--prepare "$prepare")
        [ "$allowed" != 0 ] && args+=(--ignore-failure)
        hyperfine "${args[@]}" "$(printf '%q ' "$@")" >&2
        read -r mean min < <(awk -F, 'NR == 2 { printf "%.0f %.0f\n", $2 * 1000, $7 * 1000 }' "$csv")
    else
        local i times=()
        for ((i = 0; i < n; i++)); do
            [ -n "$prepare" ] && eval "$prepare"
            t0=$(date +%s%N)
            "$@" >/dev/null 2>&1 || true
            t1=$(date +%s%N)
            times+=($((t1 - t0)))
        done
        read -r mean min < <(printf '%s\n' "${times[@]}" | stats)
    fi
    local note=ok
    if [ "$target" != - ] && [ "$mean" -ge "$target" ]; then note="MISSED"; fi
    results+=("$name|$mean|$min|$target|$note")
}

r=("$rel" -C "$repo")

# Reads first: they must load the repository without error.
time_cmd "rel status" 1000 "" 0 "${r[@]}" status
time_cmd "rel list" - "" 0 "${r[@]}" list
time_cmd "rel show $BENCH_SHOW" 300 "" 0 "${r[@]}" show "$BENCH_SHOW"
time_cmd "rel check $BENCH_CHECK" 300 "" "0 1" "${r[@]}" check "$BENCH_CHECK"
if [ "$BENCH_LOG_COMMITS" -gt 0 ]; then
    time_cmd "rel log" 1000 "" 0 "${r[@]}" log
    time_cmd "rel log --json" 1000 "" 0 "${r[@]}" --json log
    time_cmd "rel log $BENCH_SHOW" 1000 "" 0 "${r[@]}" log "$BENCH_SHOW"
else
    results+=("rel log|-|-|1000|skipped: the repository has no log commits")
fi
# Writes, each with its commit; the repository is reset before every run.
time_cmd "rel new" 500 "$reset" 0 "${r[@]}" new --version 9.9.9 --title bench
time_cmd "rel group $BENCH_GROUP_RELEASE $BENCH_GROUP_INCIDENT" 500 "$reset" 0 \
    "${r[@]}" group "$BENCH_GROUP_RELEASE" "$BENCH_GROUP_INCIDENT"

echo
echo "rel $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores," \
    "$BENCH_RELEASES releases, $BENCH_INCIDENTS incidents, $BENCH_LOG_COMMITS rel commits"
printf '%-40s %10s %10s %10s  %s\n' command "mean ms" "min ms" "target ms" result
for row in "${results[@]}"; do
    IFS='|' read -r name mean min target note <<<"$row"
    [ "$target" != - ] && target="< $target"
    printf '%-40s %10s %10s %10s  %s\n' "$name" "$mean" "$min" "$target" "$note"
done
# Non-zero when a command failed or missed its target, for CI.
for row in "${results[@]}"; do
    case "$row" in *"|FAILED"* | *"|MISSED") exit 1 ;; esac
done

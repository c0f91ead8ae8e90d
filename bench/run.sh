#!/usr/bin/env bash
# Times rel on generated release repositories of growing size and prints a
# scaling table: each command's median at 1,000 and 10,000 releases (and
# 100,000 when asked), the ratio 10k/1k, and the target. See bench/README.md.
#
#   bench/run.sh            generate in a temporary folder, time, delete it
#   bench/run.sh DIR        keep the repositories in DIR (DIR/r1000, DIR/r10000...);
#                           a size already there is reused
#
# Environment: BENCH_RUNS (timed runs per command, default 10),
# BENCH_100K=1 (also 100,000 releases and 1,000,000 incidents: ~15 min to
# generate), BENCH_LOG_COMMITS_100K (rel commits at 100k, default 10000),
# BENCH_MIGRATED=1 (the layout of a repository moved by `rel archive`:
# DIR/rN instead of the repository grown in revision 3's layout, DIR/rN-native),
# BENCH_SPARSE=0|1 (time in a sparse checkout of the clone: default 1 at 100k),
# BENCH_FULL_HISTORY=1, BENCH_KEEP=1 (keep the temporary folder),
# BENCH_REL (another rel binary to time, e.g. a build of an earlier commit).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${BENCH_RUNS:-10}
target_dir=${CARGO_TARGET_DIR:-$root/target}
rel=${BENCH_REL:-$target_dir/release/rel}
gen="$target_dir/release/examples/gen_bench_repo"

echo "== building (cargo build --release)" >&2
(cd "$root" && cargo build --release --quiet --bin rel --example gen_bench_repo)

work=$(mktemp -d "${TMPDIR:-/tmp}/rel-bench.XXXXXX")
base_dir=${1:-$work}
mkdir -p "$base_dir"
# The temporary folder goes, unless asked to keep it; a DIR given stays.
cleanup() {
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "kept $base_dir (reuse it: bench/run.sh $base_dir)" >&2
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

sizes=(1000 10000)
if [ "${BENCH_100K:-0}" = 1 ]; then sizes+=(100000); fi

# repo_of SIZE: the repository with SIZE releases (10 incidents each, one
# rel commit per release; BENCH_LOG_COMMITS_100K at 100k), generated when
# missing: grown in revision 3's layout (DIR/rSIZE-native), or with
# BENCH_MIGRATED=1 in the layout `rel archive` leaves (DIR/rSIZE). It is
# packed once with a fresh delta search (`git repack -a -d -f`), as a
# repository whose objects came one commit at a time is after its gcs (the
# newest version of a file whole, older ones deltas of it), and so that no
# automatic gc starts in the middle of the timings. (fast-import's packs
# store each version as a delta of the one before: kept as they are, the
# archive's index at 100k lay at the end of a chain of 41 deltas of an
# 8.7 MB file, 230 ms to read for git itself.)
repo_of() {
    local size=$1 repo="$base_dir/r$1-native" opts=()
    if [ "${BENCH_MIGRATED:-0}" = 1 ]; then repo="$base_dir/r$1" opts=(--migrated); fi
    local commits=$size
    if [ "$size" -ge 100000 ]; then commits=${BENCH_LOG_COMMITS_100K:-10000}; fi
    if [ ! -f "$repo/.git/rel-bench.env" ]; then
        echo "== generating $repo" >&2
        if [ "${BENCH_FULL_HISTORY:-0}" = 1 ]; then opts+=(--full-history); fi
        rm -rf "$repo"
        "$gen" "$repo" --releases "$size" --incidents $((size * 10)) \
            --log-commits "$commits" "${opts[@]}" >/dev/null
        git -C "$repo" repack -q -a -d -f
    fi
    echo "$repo"
}

# clone_of GENERATED CLONE: a fresh clone (`--no-local`: packs of its own).
# Sparse (BENCH_SPARSE=1, the default at 100k): the archive stays out of
# the work tree and the index, as contract 11.1 lets a big repository do
# (cone mode with the sparse index); `git commit` is timed in the same
# clone, so the floor for writes is measured the same way.
clone_of() {
    local generated=$1 clone=$2 size=$3 sparse=${BENCH_SPARSE:-}
    if [ -z "$sparse" ]; then
        sparse=0
        if [ "$size" -ge 100000 ]; then sparse=1; fi
    fi
    if [ "$sparse" = 1 ]; then
        git clone -q --no-local --no-checkout "$generated" "$clone"
        git -C "$clone" sparse-checkout set --cone --sparse-index \
            releases/incidents releases/installations releases/reports
        git -C "$clone" checkout -q main
        echo "sparse checkout (cone, sparse index): $(git -C "$clone" ls-files --sparse | wc -l) index entries" >&2
    else
        git clone -q --no-local "$generated" "$clone"
    fi
}

# median_ms PREPARE CMD...: the median and minimum of $runs runs, in ms,
# after one run outside the timing. PREPARE runs (eval) before each.
median_ms() {
    local prepare=$1 i t0 t1
    shift
    [ -n "$prepare" ] && eval "$prepare"
    "$@" >/dev/null 2>&1 || true
    for ((i = 0; i < runs; i++)); do
        [ -n "$prepare" ] && eval "$prepare"
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000))
    done | sort -n | awk '{ a[NR] = $1 } END { printf "%d %d\n", a[int((NR + 1) / 2)], a[1] }'
}

# A command must answer (exit 0, or 1 for a `check` that is not ready)
# before it is timed.
works() {
    local rc=0
    "$@" >/dev/null 2>"$work/err" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "-- $* failed (exit $rc): $(head -c 300 "$work/err")" >&2
        return 1
    fi
}

declare -A cell   # "name|size" -> "median"
declare -A log_commits   # size -> rel commits of its repository
names=()
targets=()        # name -> target text, in order of names
add_name() {
    local n
    for n in "${names[@]}"; do [ "$n" = "$1" ] && return; done
    names+=("$1")
    targets+=("$2")
}

# peak_mb CMD...: the peak resident memory of one run, in MB.
peak_mb() {
    local kb
    kb=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1)
    if [[ "$kb" =~ ^[0-9]+$ ]]; then echo $((kb / 1024)); else echo "?"; fi
}

declare -A peak   # "name|size" -> peak MB

for size in "${sizes[@]}"; do
    generated=$(repo_of "$size")
    # Every command is timed in a fresh clone (`git clone --no-local`:
    # packs of its own, no .git/rel), and .git/rel is removed before each
    # run as well: nothing kept by an earlier command may help.
    repo="$generated-clone"
    rm -rf "$repo"
    clone_start=$(date +%s)
    clone_of "$generated" "$repo" "$size"
    echo "== cloned in $(($(date +%s) - clone_start)) s" >&2
    cp "$generated/.git/rel-bench.env" "$repo/.git/rel-bench.env"
    # shellcheck disable=SC1091
    . "$repo/.git/rel-bench.env"
    # No background packing after the timed writes: a repack started by
    # one run would be timed as part of the next commands. Repository
    # growth is measured apart (bench/README.md).
    git -C "$repo" config gc.auto 0
    base=$(git -C "$repo" rev-parse HEAD)
    reset="git -C $repo reset -q --hard $base"
    # shellcheck disable=SC2064
    trap "rm -rf $repo; cleanup" EXIT
    r=("$rel" -C "$repo")
    echo "== $size releases, $BENCH_INCIDENTS incidents, $BENCH_LOG_COMMITS rel commits;" \
        "$runs runs each, $(nproc) cores, fresh clone of $generated" >&2
    log_commits[$size]=$BENCH_LOG_COMMITS
    fresh="rm -rf $repo/.git/rel"
    # name|target|prepare|command...
    while IFS='|' read -r name target prepare args; do
        read -ra argv <<<"$args"
        works "${r[@]}" "${argv[@]}" || { cell["$name|$size"]="FAILED"; add_name "$name" "$target"; continue; }
        echo "-- $name" >&2
        read -r med _ < <(median_ms "$prepare" "${r[@]}" "${argv[@]}")
        cell["$name|$size"]=$med
        if [ -n "$prepare" ]; then eval "$prepare"; fi
        if command -v /usr/bin/time >/dev/null; then
            peak["$name|$size"]=$(peak_mb "${r[@]}" "${argv[@]}")
        fi
        add_name "$name" "$target"
    done <<EOF
rel status|<= 15|$fresh|status
rel check R|<= 15|$fresh|check $BENCH_CHECK
rel show R|<= 15|$fresh|show $BENCH_SHOW
rel show R (archived)|-|$fresh|show $BENCH_PAST
rel list|-|$fresh|list
rel list --state all|-|$fresh|list --state all
rel incident list|-|$fresh|incident list
rel incident list --all|- (cold: no .git/rel)|$fresh|incident list --all
rel incident list --all (warm)|< 3000 at 1M incidents||incident list --all
rel --json incident list --all|-|$fresh|--json incident list --all
rel log|< 300 at 10k commits|$fresh|log
rel new|<= 1.2x git commit|$reset; $fresh|new --version 99.9.9 --title bench
rel group R INC|<= 1.2x git commit|$reset; $fresh|group $BENCH_GROUP_RELEASE $BENCH_GROUP_INCIDENT
EOF
    # The floor for writes: a plain `git commit` of one changed file.
    commit_one="$reset && echo '# bench' >> $repo/environments.toml"
    echo "-- git commit (one file)" >&2
    # An identity of its own: with GIT_CONFIG_GLOBAL=/dev/null git has
    # none, and a commit refused for that was the floor until issue 20.
    read -r med _ < <(median_ms "$commit_one" git -C "$repo" -c user.name=Bench \
        -c user.email=bench@example.com commit -q -a -m bench)
    cell["git commit (one file)|$size"]=$med
    add_name "git commit (one file)" "-"
    $reset
    rm -rf "$repo"
done

echo
echo "rel $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores," \
    "medians of $runs runs in ms on a fresh clone (releases; incidents = 10x, rel commits = 1x" \
    "but ${log_commits[100000]:-10000} at 100k)"
header=$(printf '%-32s' command)
for size in "${sizes[@]}"; do header+=$(printf ' %9s' "$((size / 1000))k"); done
header+=$(printf ' %9s  %s' "10k/1k" target)
echo "$header"
for i in "${!names[@]}"; do
    name=${names[$i]}
    line=$(printf '%-32s' "$name")
    for size in "${sizes[@]}"; do line+=$(printf ' %9s' "${cell["$name|$size"]:--}"); done
    a=${cell["$name|1000"]:-} b=${cell["$name|10000"]:-}
    if [[ "$a" =~ ^[0-9]+$ && "$b" =~ ^[0-9]+$ && "$a" -gt 0 ]]; then
        ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')
    else
        ratio=-
    fi
    line+=$(printf ' %9s  %s' "$ratio" "${targets[$i]}")
    echo "$line"
done

echo
echo "peak memory in MB, one run each (target: <= 32 for status, check, show, new, group)"
header=$(printf '%-32s' command)
for size in "${sizes[@]}"; do header+=$(printf ' %9s' "$((size / 1000))k"); done
echo "$header"
for name in "${names[@]}"; do
    [ "$name" = "git commit (one file)" ] && continue
    line=$(printf '%-32s' "$name")
    for size in "${sizes[@]}"; do line+=$(printf ' %9s' "${peak["$name|$size"]:--}"); done
    echo "$line"
done

#!/usr/bin/env bash
# Times `rel rollout` to N client installations (default 1,000) in one
# commit, and `rel status` with those N updates in progress (issue 11's
# target: a rollout to 1,000 installations in under 2 s). See bench/README.md.
#
#   bench/rollout.sh [N]
#
# Environment: BENCH_RUNS (timed runs, default 5), BENCH_REL (another rel
# binary to time).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
count=${1:-1000}
runs=${BENCH_RUNS:-5}
target_dir=${CARGO_TARGET_DIR:-$root/target}
rel=${BENCH_REL:-$target_dir/release/rel}

echo "== building (cargo build --release)" >&2
(cd "$root" && cargo build --release --quiet --bin rel)

work=$(mktemp -d "${TMPDIR:-/tmp}/rel-rollout.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Hermetic: no user or system git config, a fixed clock and actor.
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export REL_NOW=2026-11-30T10:00:00Z REL_ACTOR="Bench <bench@example.com>"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$HOME"

repo="$work/repo"
mkdir -p "$repo"
cd "$repo"
git init -q
"$rel" init >/dev/null 2>&1
mkdir -p releases/installations
# N installations on three versions, each with an admin and a window.
for i in $(seq 1 "$count"); do
    printf 'name = "client%05d"\nversion = "5.%d.0"\nadmins = ["it@client%05d.example"]\nwindows = ["sat 01:00-03:00"]\n' \
        "$i" $((i % 3)) "$i" >"releases/installations/client$(printf %05d "$i").toml"
done
git add -A
git commit -qm "$count installations"
base=$(git rev-parse HEAD)

# Milliseconds of one run of "$@".
ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

rollout=()
for _ in $(seq 1 "$runs"); do
    git reset -q --hard "$base"
    rollout+=("$(ms "$rel" rollout --version 6.0.0 --title "Six")")
done
files=$(git show --stat --format= HEAD | tail -1)
status=()
for _ in $(seq 1 "$runs"); do
    status+=("$(ms "$rel" status)")
done

# The same rollout carrying a product release (contract 11.3): P-6.0.0 in
# production with 50 incidents, half of them breaking, update paths on and
# `[installations] requires = "production"`; every update carries it and
# its path counts the carried incidents.
git reset -q --hard "$base"
cat >>environments.toml <<'TOML'

[paths]
simple_max_hop = { major = 0, minor = 1 }

[installations]
requires = "production"
TOML
incidents=()
for i in $(seq 1 50); do
    id=$(printf 'INC-%04d' "$i")
    incidents+=("\"$id\"")
    breaking=false
    if ((i % 2 == 0)); then breaking=true; fi
    printf 'id = "%s"\ntitle = "Change %s"\nstatus = "resolved"\nbreaking = %s\nrelease = "P-6.0.0"\ncreated_at = "2026-11-01T10:00:00Z"\ncreated_by = "Bench <bench@example.com>"\n' \
        "$id" "$i" "$breaking" >"releases/incidents/$id.toml"
done
printf 'id = "P-6.0.0"\ntitle = "Six"\nversion = "6.0.0"\nkind = "major"\nstate = "open"\nenvironment = "production"\nentered_at = "2026-11-20T10:00:00Z"\nrevision = 2\ncreated_at = "2026-11-01T10:00:00Z"\ncreated_by = "Bench <bench@example.com>"\nincidents = [%s]\n' \
    "$(IFS=,; echo "${incidents[*]}")" >releases/P-6.0.0.toml
git add -A
git commit -qm "P-6.0.0 in production, carried"
carried_base=$(git rev-parse HEAD)
carried=()
for _ in $(seq 1 "$runs"); do
    git reset -q --hard "$carried_base"
    carried+=("$(ms "$rel" rollout --version P-6.0.0 --title "Six")")
done
"$rel" show client00001-6.0.0 | grep -q 'carries      P-6.0.0' || {
    echo "the rollout did not carry P-6.0.0" >&2
    exit 1
}

printf '%-40s %8s\n' "command ($count installations)" "median ms"
printf '%-40s %8s\n' "rel rollout (one commit)" "$(printf '%s\n' "${rollout[@]}" | median)"
printf '%-40s %8s\n' "rel status ($count updates in progress)" "$(printf '%s\n' "${status[@]}" | median)"
printf '%-40s %8s\n' "rel rollout carrying P-6.0.0" "$(printf '%s\n' "${carried[@]}" | median)"
echo "last rollout commit: $files"

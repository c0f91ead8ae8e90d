#!/usr/bin/env bash
# A fleet of N client installations (default 1,000), each with an update in
# progress made by one `rel rollout`; times `rel rollout`, `rel fleet`,
# `rel fleet --json`, `rel status` and `rel forecast` with ten product
# releases in progress beside them (medians of BENCH_RUNS, default 5).
#
#   bench/fleet.sh [N]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-1000}
runs=${BENCH_RUNS:-5}
if [ -z "${BENCH_REL:-}" ]; then
    (cd "$root" && cargo build --release --quiet --bin rel)
fi
rel=${BENCH_REL:-${CARGO_TARGET_DIR:-$root/target}/release/rel}
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export REL_ACTOR="Bench <bench@example.com>" REL_NOW=2026-11-20T10:00:00Z
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$rel" init >/dev/null
mkdir -p releases/installations
for i in $(seq -w 1 "$n"); do
    printf 'name = "site%s"\nversion = "5.2.0"\nadmins = ["it@site%s.example"]\n' "$i" "$i" \
        > "releases/installations/site$i.toml"
done
git add releases/installations >/dev/null
git -c user.name=Bench -c user.email=bench@example.com commit -qm "the fleet"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
echo "rollout of $n updates (one commit): $(ms "$rel" rollout --version 5.3.0 --title "5.3.0") ms"
# Ten product releases in progress beside the updates (issue 21's target).
for i in $(seq 1 10); do "$rel" new --version "6.$i.0" --title "Product 6.$i" >/dev/null; done
for cmd in "fleet" "--json fleet" "fleet --version 5.3.0" "status" "forecast"; do
    # shellcheck disable=SC2086
    t=$(for _ in $(seq 1 "$runs"); do ms "$rel" $cmd; done | median)
    echo "rel $cmd: $t ms (median of $runs)"
done

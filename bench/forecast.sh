#!/usr/bin/env bash
# `rel forecast` of 1,020 releases in progress over 90 days: a fleet of N
# client installations (default 1,000), each with an update made by one
# `rel rollout` and its own maintenance window and time zone, plus 20
# product releases queueing for the exclusive staging environment; the
# production environment has a window and a blackout. Times `rel forecast`
# (text and --json, --strict) as medians of BENCH_RUNS (default 5).
#
#   bench/forecast.sh [N]
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
until=2027-02-18T10:00:00Z   # 90 days
dir=$(mktemp -d)
[ -n "${BENCH_KEEP:-}" ] && echo "kept in $dir" || trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$rel" init >/dev/null
# Production: a window (replaced by each installation's own for its
# update) and the year-end freeze.
python3 - <<'PY'
import re
text = open("environments.toml").read()
text = text.replace('name = "production"\n',
    'name = "production"\nwindows = ["tue-thu 09:00-17:00"]\n'
    'blackouts = [{ from = 2026-12-18, to = 2027-01-04, reason = "Year-end change freeze" }]\n', 1)
open("environments.toml", "w").write(text)
PY
git add environments.toml
git -c user.name=Bench -c user.email=bench@example.com commit -qm "windows and a freeze"
mkdir -p releases/installations
zones=("Europe/London" "America/New_York" "Asia/Tokyo" "Australia/Sydney" "UTC")
windows=("sat 01:00-03:00" "sun 02:00-04:00" "tue,thu 22:00-02:00" "workdays 06:00-08:00")
for i in $(seq -w 1 "$n"); do
    k=$((10#$i))
    printf 'name = "site%s"\nversion = "5.2.0"\nadmins = ["it@site%s.example"]\nwindows = ["%s"]\ntimezone = "%s"\n' \
        "$i" "$i" "${windows[$((k % 4))]}" "${zones[$((k % 5))]}" > "releases/installations/site$i.toml"
done
git add releases/installations >/dev/null
git -c user.name=Bench -c user.email=bench@example.com commit -qm "the fleet"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
"$rel" rollout --version 5.3.0 --title "5.3.0" >/dev/null 2>&1
# 20 product releases, all in uat: they queue for staging.
for v in $(seq 1 20); do
    id=$("$rel" new --version "6.$v.0" --title "Product 6.$v" 2>/dev/null)
    "$rel" promote "$id" --yes >/dev/null 2>&1
done
"$rel" --json forecast --until "$until" > forecast.json
python3 - <<'PY'
import json
d = json.load(open("forecast.json"))
rs = d["releases"]
steps = sum(len(r["steps"]) - 1 for r in rs)
done = sum(1 for r in rs if r["done_at"])
waits = {}
for r in rs:
    for s in r["steps"]:
        for w in s["waits"]:
            waits[w["rule"]] = waits.get(w["rule"], 0) + 1
print(f"{len(rs)} releases in progress, {steps} forecast entries, {done} done within 90 days; waits by rule: {waits}")
PY
for cmd in "forecast --until $until" "--json forecast --until $until" "forecast --strict --until $until"; do
    # shellcheck disable=SC2086
    t=$(for _ in $(seq 1 "$runs"); do ms "$rel" $cmd; done | median)
    echo "rel $cmd: $t ms (median of $runs)"
done

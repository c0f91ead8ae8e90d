#!/usr/bin/env bash
# Kills rel writes with SIGKILL at random instants and checks that nothing
# needs a hand repair: after each kill the next `rel status` must leave rel's
# files in the index and work tree equal to HEAD's, no lock and no journal;
# `git fsck` must be clean at the end. See bench/README.md.
#
#   bench/kill.sh DIR [N]    N kills (default 200) on the release repository DIR
#                            (e.g. one kept by BENCH_KEEP=1 bench/run.sh)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=${1:?usage: bench/kill.sh DIR [N]}
kills=${2:-200}
if [ -z "${BENCH_REL:-}" ]; then
    (cd "$root" && cargo build --release --quiet --bin rel)
fi
rel=${BENCH_REL:-${CARGO_TARGET_DIR:-$root/target}/release/rel}

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export REL_ACTOR="Kill Test <kill@example.com>"
# Far enough ahead of any history the generator wrote; one second more per kill.
start=$(date -u -d 2027-06-01T00:00:00Z +%s)
cd "$repo"
branch=$(git symbolic-ref HEAD)

# How long one write takes, to spread the kills over it.
t0=$(date +%s%N)
REL_NOW=$(date -u -d "@$start" +%FT%TZ) "$rel" incident new KILL-WARM --title "warm-up" >/dev/null 2>&1
span_us=$(( ( $(date +%s%N) - t0 ) / 1000 * 3 / 2 ))
echo "one write takes about $((span_us * 2 / 3 / 1000)) ms; killing $kills writes" >&2

repaired=0
for i in $(seq 1 "$kills"); do
    now=$(date -u -d "@$((start + i))" +%FT%TZ)
    REL_NOW=$now "$rel" incident new "KILL-$i" --title "kill $i" >/dev/null 2>&1 &
    pid=$!
    delay_us=$(( (RANDOM * 32768 + RANDOM) % span_us ))
    sleep "$(printf '0.%06d' "$delay_us")"
    # rel alone: a git it started dies with it (PR_SET_PDEATHSIG).
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    out=$(REL_NOW=$now "$rel" status 2>&1 >/dev/null) || { echo "kill $i: rel status failed: $out" >&2; exit 1; }
    [[ $out == *repaired* ]] && repaired=$((repaired + 1))
    for left in index.lock "$branch.lock" rel-journal; do
        [ ! -e ".git/$left" ] || { echo "kill $i: .git/$left left behind" >&2; exit 1; }
    done
    dirty=$(git status --porcelain --untracked-files=all -- environments.toml releases)
    [ -z "$dirty" ] || { echo "kill $i: rel's files differ from HEAD:" >&2; echo "$dirty" >&2; exit 1; }
done
git fsck --no-dangling --no-progress
echo "$kills kills: nothing to mend by hand ($repaired repaired by the next command); git fsck clean"

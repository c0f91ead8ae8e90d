#!/usr/bin/env bash
# Times `rel audit --hook` (the pre-receive hook of contract 11.5) on a push
# of 100 rel commits to a bare repository. Target: under 2 s.
#
#   bench/hook.sh            # build (release), generate, time, clean up
#   HOOK_COMMITS=500 bench/hook.sh
#
# rel makes the commits itself (`rel new`, `incident new/resolve/
# authorise/test`, `group`, `freeze`, with REL_NOW a minute apart) in a
# clone whose branch the bare repository already has (its `rel init`);
# they are pushed in one `git push`, so the hook audits them all while
# they are still in git's quarantine. The hook is wrapped to time itself
# (rel started, stdin read, commits judged, exit), and the push is
# repeated BENCH_RUNS times (the branch is set back with `git update-ref`
# between runs; the objects are then in the repository, no longer in
# quarantine: the first run is the real one). Variables: BENCH_RUNS
# (default 5), BENCH_REL (a binary to time; no build), HOOK_COMMITS
# (default 100), BENCH_KEEP=1 (keep the temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${BENCH_RUNS:-5}
commits=${HOOK_COMMITS:-100}
if [ -z "${BENCH_REL:-}" ]; then
    cargo build --release --quiet
    rel=$PWD/target/release/rel
else
    rel=$(realpath "$BENCH_REL")
fi

tmp=$(mktemp -d)
if [ "${BENCH_KEEP:-}" != 1 ]; then
    trap 'rm -rf "$tmp"' EXIT
else
    echo "hook bench: keeping $tmp"
fi
export HOME=$tmp/home GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
export REL_ACTOR="Bench <bench@example.com>"
mkdir -p "$HOME"

# rel at minute $1 after 2026-11-02 09:00 UTC (a Monday).
t0=$(date -u -d 2026-11-02T09:00:00Z +%s)
at() { date -u -d "@$((t0 + $1 * 60))" +%Y-%m-%dT%H:%M:%SZ; }
n=0
relnow() {
    n=$((n + 1))
    REL_NOW=$(at "$n") "$rel" --yes "$@" >/dev/null 2>>"$tmp/rel.log"
}

repo=$tmp/repo bare=$tmp/shared.git
git init -q --bare "$bare"
mkdir "$repo" && cd "$repo"
relnow init
git remote add origin "$bare"
git push -q origin HEAD:master
base=$(git rev-parse HEAD)

# $commits rel commits: releases of four incidents each (4 commits an
# incident, then group), frozen when full.
made=0 r=0 inc=0
one() { relnow "$@"; made=$((made + 1)); }
while [ "$made" -lt "$commits" ]; do
    r=$((r + 1))
    n=$((n + 1))
    id=$(REL_NOW=$(at "$n") "$rel" --yes new --version "1.$r.0" --title "Release $r" 2>>"$tmp/rel.log")
    made=$((made + 1))
    for _ in 1 2 3 4; do
        [ "$made" -lt "$commits" ] || break
        inc=$((inc + 1))
        one incident new "INC-$inc" --title "Change $inc"
        [ "$made" -lt "$commits" ] || break
        one incident resolve "INC-$inc"
        [ "$made" -lt "$commits" ] || break
        one incident authorise "INC-$inc" --by "Carla Client"
        [ "$made" -lt "$commits" ] || break
        one incident test "INC-$inc" --evidence tests/report.pdf
        [ "$made" -lt "$commits" ] || break
        one group "$id" "INC-$inc"
    done
    [ "$made" -lt "$commits" ] || break
    one freeze "$id"
done
tip=$(git rev-parse HEAD)
echo "hook bench: $(git rev-list --count "$base..$tip") rel commits to push"

# The hook, timing itself (nanoseconds, one line a run).
times=$tmp/times
cat >"$bare/hooks/pre-receive" <<EOF
#!/bin/sh
start=\$(date +%s%N)
'$rel' audit --hook
rc=\$?
echo \$((\$(date +%s%N) - start)) >>'$times'
exit \$rc
EOF
chmod +x "$bare/hooks/pre-receive"

for i in $(seq "$runs"); do
    if ! git push -q origin HEAD:master 2>"$tmp/push.err"; then
        echo "hook bench: the push of rel's own commits was refused:" >&2
        cat "$tmp/push.err" >&2
        exit 1
    fi
    [ "$(git --git-dir "$bare" rev-parse master)" = "$tip" ]
    git --git-dir "$bare" update-ref refs/heads/master "$base"
    git update-ref refs/remotes/origin/master "$base"
    echo "run $i: $(tail -1 "$times" | awk '{ printf "%.3f s", $1 / 1e9 }')"
done
# The hook judged them: the same push with a hand edit on top is refused.
git push -q origin HEAD:master
sed -i 's/^title = .*/title = "Edited by hand"/' "$(ls releases/R-*.toml | head -1)"
git commit -qam "by hand"
if git push -q origin HEAD:master 2>"$tmp/push.err"; then
    echo "hook bench: a hand edit went through: the hook is not auditing" >&2
    exit 1
fi
grep -q "hand-edit" "$tmp/push.err"
median=$(head -n "$runs" "$times" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1e9 }')
first=$(head -1 "$times" | awk '{ printf "%.3f", $1 / 1e9 }')
echo "rel audit --hook, $commits rel commits: first push (quarantine) $first s, median of $runs $median s (target < 2 s)"
awk -v m="$median" 'BEGIN { exit !(m < 2) }'

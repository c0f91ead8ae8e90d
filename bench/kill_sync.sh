#!/usr/bin/env bash
# Kills rel writes in a clone with [sync] (contract sections 1, 6, 11.7) with
# SIGKILL at random instants across fetch, fast-forward, commit and push,
# and checks that nothing needs a hand repair. See bench/README.md.
#
#   bench/kill_sync.sh [N]    N kills (default 100), in a temporary folder
#   KILL_SYNC_FROM=40 bench/kill_sync.sh   kill only in the last 60 % of a
#                             write (past most of the fetch: more kills land
#                             in the fast-forward, the commit and the push)
#
# Set-up: a bare remote on the local file system, a clone `pusher` and a
# clone `victim`, both with [sync]. Before each kill the pusher writes, so
# the victim is behind and its write fetches, fast-forwards, commits and
# pushes. After each kill:
#   - the next `rel status` in the victim leaves no lock and no journal, and
#     the index and work tree equal HEAD's (every file here is rel's);
#   - the remote's tip is a whole rel commit (its one incident file), and
#     the victim's branch is the remote's or behind it (never ahead);
#   - the victim's next write succeeds and lands on the remote.
# At the end: every remote commit is a whole rel commit, `git fsck` is
# clean on the remote and the victim, `rel audit` on a fresh clone runs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kills=${1:-100}
if [ -z "${BENCH_REL:-}" ]; then
    (cd "$root" && cargo build --release --quiet --bin rel)
fi
rel=${BENCH_REL:-${CARGO_TARGET_DIR:-$root/target}/release/rel}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
export REL_ACTOR="Kill Test <kill@example.com>" REL_NOW=2026-11-25T12:00:00Z
mkdir -p "$HOME"

fail() { echo "kill $i: $*" >&2; exit 1; }
i=0

git init -q --bare "$work/remote.git"
mkdir "$work/pusher"
cd "$work/pusher"
"$rel" init >/dev/null 2>&1
cat > environments.toml <<'EOF'
[sync]
remote = "origin"
retries = 20

[[environments]]
name = "dev"

[[environments]]
name = "live"
EOF
git add environments.toml && git commit -q -m "shared pipeline"
git remote add origin "$work/remote.git"
git push -q origin HEAD:master
git clone -q "$work/remote.git" "$work/victim"
base=$(git rev-parse HEAD)

# One victim write while behind, to spread the kills over its length.
"$rel" incident new WARM-P --title warm >/dev/null 2>&1
cd "$work/victim"
t0=$(date +%s%N)
"$rel" incident new WARM-V --title warm >/dev/null 2>&1
span_us=$(( ( $(date +%s%N) - t0 ) / 1000 * 5 / 4 ))
echo "one write behind the remote takes about $((span_us * 4 / 5 / 1000)) ms; killing $kills writes" >&2

# A whole rel commit: `rel: incident-new ID` changing exactly that incident.
whole() {
    local id subject files want
    id=$1
    subject=$(git --git-dir "$work/remote.git" log -1 --format=%s "$id")
    files=$(git --git-dir "$work/remote.git" diff-tree --no-commit-id --name-only -r "$id")
    want="releases/incidents/${subject#rel: incident-new }.toml"
    [[ $subject == "rel: incident-new "* && $files == "$want" ]]
}

declare -A phase=()
repaired=0
started=$(date +%s%N)
for i in $(seq 1 "$kills"); do
    (cd "$work/pusher" && "$rel" incident new "P-$i" --title "pushed $i" >/dev/null 2>&1) ||
        fail "the pusher's write failed"
    "$rel" incident new "K-$i" --title "killed $i" >/dev/null 2>&1 &
    pid=$!
    from_us=$(( span_us * ${KILL_SYNC_FROM:-0} / 100 ))
    delay_us=$(( from_us + (RANDOM * 32768 + RANDOM) % (span_us - from_us) ))
    sleep "$(printf '0.%06d' "$delay_us")"
    # rel alone: a git it started dies with it (PR_SET_PDEATHSIG).
    kill -9 "$pid" 2>/dev/null || true
    if wait "$pid" 2>/dev/null; then
        where=finished
    elif [ -f .git/rel-journal ]; then
        where=$(sed -n 's/.*"what":"\([a-z-]*\)".*/\1/p' .git/rel-journal)
        where=${where:-commit}  # a journal without "what" (an older rel) is a commit's
        new=$(sed -n 's/.*"new":"\([0-9a-f]*\)".*/\1/p' .git/rel-journal)
        if [ "$where" = commit ]; then
            if [ "$new" = "$(git --git-dir "$work/remote.git" rev-parse master)" ]; then
                where="commit (pushed)"
            else
                where="commit/push"
            fi
        fi
    else
        where="between steps"
    fi
    phase[$where]=$(( ${phase[$where]:-0} + 1 ))
    out=$("$rel" status 2>&1 >/dev/null) || fail "rel status failed after a kill in $where: $out"
    [[ $out == *repaired* ]] && repaired=$((repaired + 1))
    for left in index.lock refs/heads/master.lock refs/remotes/origin/master.lock rel-journal; do
        [ ! -e ".git/$left" ] || fail ".git/$left left behind (killed in $where)"
    done
    dirty=$(git status --porcelain --untracked-files=all)
    [ -z "$dirty" ] || fail "the clone differs from HEAD (killed in $where): $dirty"
    tip=$(git --git-dir "$work/remote.git" rev-parse master)
    whole "$tip" || fail "the remote's tip $tip is not a whole rel commit"
    git --git-dir "$work/remote.git" merge-base --is-ancestor "$(git rev-parse HEAD)" "$tip" 2>/dev/null || fail "the victim's branch is not the remote's or behind it"
    err=$("$rel" incident new "V-$i" --title "after $i" 2>&1 >/dev/null) ||
        fail "the next write failed (killed in $where): $err"
    [ "$(git rev-parse HEAD)" = "$(git --git-dir "$work/remote.git" rev-parse master)" ] ||
        fail "the next write did not land on the remote"
done
elapsed_ms=$(( ( $(date +%s%N) - started ) / 1000000 ))

for id in $(git --git-dir "$work/remote.git" rev-list "$base..master"); do
    whole "$id" || { echo "remote commit $id is not a whole rel commit" >&2; exit 1; }
done
git --git-dir "$work/remote.git" fsck --no-dangling --no-progress
git fsck --no-dangling --no-progress
git clone -q "$work/remote.git" "$work/auditor"
(cd "$work/auditor" && "$rel" audit >/dev/null 2>&1) || { echo "rel audit on a fresh clone failed" >&2; exit 1; }
commits=$(git --git-dir "$work/remote.git" rev-list --count "$base..master")

echo "$kills kills in $((elapsed_ms / 1000)).$(( elapsed_ms % 1000 / 100 )) s: nothing to mend by hand ($repaired repaired by the next command)"
for p in "${!phase[@]}"; do
    echo "  killed in $p: ${phase[$p]}"
done | sort
echo "remote: $commits commits, each a whole rel commit; rel audit ran; git fsck clean on remote and clone"

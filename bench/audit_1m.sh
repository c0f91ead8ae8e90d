#!/usr/bin/env bash
# Times `rel audit` of one commit that adds a whole register (issue 20's
# target: a commit adding 1,000,000 files audited in under 60 s and 256 MB),
# then of the generated repository's whole history (that import, a few log
# commits, and the archiving commit that moves nearly every file).
# See bench/README.md.
#
#   bench/audit_1m.sh [DIR]
#
# DIR keeps the generated repository (DIR/audit1m-N/repo.git) for the next
# run; without it a temporary folder is used and removed. Environment:
# AUDIT_INCIDENTS (default 1000000; releases are a thousandth of it),
# BENCH_REL (another rel binary to time), AUDIT_HISTORY=0 (skip the whole
# history, which holds the import twice: as added, then as archived).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
incidents=${AUDIT_INCIDENTS:-1000000}
releases=$((incidents / 1000 > 10 ? incidents / 1000 : 10))
target_dir=${CARGO_TARGET_DIR:-$root/target}
rel=${BENCH_REL:-$target_dir/release/rel}
gen="$target_dir/release/examples/gen_bench_repo"

echo "== building (cargo build --release)" >&2
if [[ -z ${BENCH_REL:-} ]]; then
    (cd "$root" && cargo build --release --quiet --bin rel --example gen_bench_repo)
else
    (cd "$root" && cargo build --release --quiet --example gen_bench_repo)
fi

if [[ -n ${1:-} ]]; then
    dir=$1
    mkdir -p "$dir"
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
export HOME="$dir/home"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export REL_NOW=2026-11-25T12:00:00Z
mkdir -p "$HOME"

# The repository: regenerated when the size or the generator changed.
work="$dir/audit1m-$incidents"
stamp="$incidents $(cat "$root"/examples/gen_bench_repo/*.rs | sha256sum | cut -c1-16)"
if [[ -f $work/stamp && $(cat "$work/stamp") == "$stamp" ]]; then
    echo "== reusing $work/repo.git" >&2
else
    rm -rf "$work"
    mkdir -p "$work"
    echo "== generating $releases releases, $incidents incidents (several minutes)" >&2
    "$gen" "$work/gen" --releases "$releases" --incidents "$incidents" --log-commits 10 >&2
    # A bare copy: the audit reads commits only, and no work tree of a
    # million files has to be checked out to move HEAD.
    git clone -q --bare --no-local "$work/gen" "$work/repo.git"
    rm -rf "$work/gen"
    git -C "$work/repo.git" gc -q
    echo "$stamp" >"$work/stamp"
fi
repo="$work/repo.git"
root_commit=$(git -C "$repo" rev-list --max-parents=0 HEAD)
files=$(git -C "$repo" diff-tree -r --root --no-commit-id --name-only "$root_commit" | wc -l)
# environments.toml is a policy change (listed, no finding), the archive's
# index is checked against the archive (no finding when it agrees); every
# other file under releases/ is a hand edit.
manifests=$(git -C "$repo" diff-tree -r --root --no-commit-id --name-only "$root_commit" |
    grep '^releases/' | grep -vcE '^releases/archive/index(\.toml$|/)')

# One `rel --json audit` of the branch $1: seconds, peak MB, exit code,
# commits audited, findings, hand-edit findings.
measure() {
    git -C "$repo" symbolic-ref HEAD "refs/heads/$1"
    local code=0
    /usr/bin/time -f "%e %M" -o "$work/time" "$rel" -C "$repo" --json audit \
        >"$work/audit.json" 2>"$work/audit.err" || code=$?
    if [[ $code != 0 && $code != 1 ]]; then
        echo "FAIL: rel audit of $1 exited $code" >&2
        cat "$work/audit.err" >&2
        exit 1
    fi
    # With exit 1 (findings) time writes a line about it first.
    read -r secs kb < <(tail -1 "$work/time")
    echo "$secs $((kb / 1024)) $code $(jq '.commits' "$work/audit.json") $(jq '.findings | length' "$work/audit.json") $(jq '[.findings[] | select(.finding == "hand-edit")] | length' "$work/audit.json")"
}

main=$(git -C "$repo" symbolic-ref --short HEAD 2>/dev/null || echo main)
[[ $main == import ]] && main=$(cat "$work/main" 2>/dev/null || echo main)
echo "$main" >"$work/main"
git -C "$repo" branch -f import "$root_commit"

printf '\n| measure | value |\n|---|---|\n'
printf '| files the import commit adds | %s |\n' "$files"
read -r secs mb code commits found hand < <(measure import)
# The import is a hand edit: one finding per file (and an `inconsistent`
# one for each release the generator leaves sharing an exclusive
# environment: its work in progress).
if [[ $commits != 1 || $hand != "$manifests" ]]; then
    echo "FAIL: the import audit judged $commits commits with $hand hand-edit findings ($manifests files under releases/)" >&2
    exit 1
fi
printf '| `rel audit` of the import: seconds | %s (target < 60) |\n' "$secs"
printf '| `rel audit` of the import: peak MB | %s (target <= 256) |\n' "$mb"
printf '| findings (one hand-edit per file, and the inconsistent) | %s (%s hand-edit) |\n' "$found" "$hand"
if [[ ${AUDIT_HISTORY:-1} != 0 ]]; then
    read -r secs mb code commits found hand < <(measure "$main")
    printf '| `rel audit` of the whole history (%s commits): seconds | %s |\n' "$commits" "$secs"
    printf '| `rel audit` of the whole history: peak MB | %s |\n' "$mb"
fi
git -C "$repo" symbolic-ref HEAD "refs/heads/$main"
uptime

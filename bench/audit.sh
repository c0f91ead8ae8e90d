#!/usr/bin/env bash
# Times `rel audit` over a lawful history of N rel commits (issue 12's
# target: 10,000 commits in under 10 s, with 0 findings), then injects four
# kinds of tampering on a copy and checks the audit reports exactly those.
# See bench/README.md.
#
#   bench/audit.sh [DIR]
#
# DIR keeps the generated repository (DIR/audit-N/repo) for the next run;
# without it a temporary folder is used and removed. Environment:
# AUDIT_COMMITS (N, default 10000), BENCH_RUNS (timed runs, default 5),
# BENCH_REL (another rel binary to time and to generate with).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
count=${AUDIT_COMMITS:-10000}
runs=${BENCH_RUNS:-5}
target_dir=${CARGO_TARGET_DIR:-$root/target}
rel=${BENCH_REL:-$target_dir/release/rel}
# shellcheck source=bench/audit_lives.sh
source "$root/bench/audit_lives.sh"
# shellcheck source=bench/audit_tamper.sh
source "$root/bench/audit_tamper.sh"

if [[ -z ${BENCH_REL:-} ]]; then
    echo "== building (cargo build --release)" >&2
    (cd "$root" && cargo build --release --quiet --bin rel)
fi

if [[ -n ${1:-} ]]; then
    mkdir -p "$1"
    dir=$(cd "$1" && pwd)
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/rel-audit.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
fi

# Hermetic: no user or system git config; rel's clock and actor are set
# per command by the generator.
export HOME="$dir/home" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$HOME"

# The cache: regenerated when N or the generator changed.
work="$dir/audit-$count"
stamp="$count $(cat "$root/bench/audit_lives.sh" | sha256sum | cut -c1-16)"
if [[ -f $work/stamp && $(cat "$work/stamp") == "$stamp" ]]; then
    echo "== reusing $work/repo ($(cat "$work/commits") rel commits)" >&2
    gen_seconds="(cached)"
else
    rm -rf "$work"
    mkdir -p "$work"
    echo "== generating $count rel commits with $rel (a few minutes)" >&2
    start=$(date +%s%N)
    gen_lives "$rel" "$work/repo" "$count"
    end=$(date +%s%N)
    gen_seconds=$(((end - start) / 1000000000))
    # Packed once, as a repository in use would be.
    git -C "$work/repo" gc -q
    echo "$stamp" >"$work/stamp"
fi
repo="$work/repo"
made=$(cat "$work/commits")

# Milliseconds of one `rel audit --json` in $1, its exit code in $code.
audit_ms() {
    local start end
    start=$(date +%s%N)
    code=0
    (cd "$1" && "$rel" --json audit >"$work/audit.json" 2>/dev/null) || code=$?
    end=$(date +%s%N)
    echo $(((end - start) / 1000000)) >"$work/ms"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# The lawful history: 0 findings, exit 0, every run.
times=()
for _ in $(seq 1 "$runs"); do
    audit_ms "$repo"
    times+=("$(cat "$work/ms")")
    found=$(jq '.findings | length' "$work/audit.json")
    if [[ $code != 0 || $found != 0 ]]; then
        echo "FAIL: rel audit on the lawful history: exit $code, $found findings" >&2
        jq -r '.findings[:20][] | "\(.finding) \(.commit) \(.release) \(.message)"' "$work/audit.json" >&2
        exit 1
    fi
done
audited=$(jq '.commits' "$work/audit.json")
audit_median=$(printf '%s\n' "${times[@]}" | median)

# The tampered copy: exactly the four injected findings.
rm -rf "$work/tampered"
git clone -q "$repo" "$work/tampered"
tamper_history "$rel" "$work/tampered" "$work/expected"
audit_ms "$work/tampered"
jq -r '.findings[] | "\(.finding) \(.commit)"' "$work/audit.json" | sort >"$work/found"
sort "$work/expected" >"$work/expected.sorted"
if [[ $code != 1 ]] || ! diff -u "$work/expected.sorted" "$work/found" >&2; then
    echo "FAIL: rel audit on the tampered copy (exit $code) does not report exactly the injected findings" >&2
    jq -r '.findings[] | "\(.finding) \(.commit) \(.release) \(.message)"' "$work/audit.json" >&2
    exit 1
fi
injected=$(wc -l <"$work/expected")

printf '\n| measure | value |\n|---|---|\n'
printf '| rel commits generated | %s (N = %s) |\n' "$made" "$count"
printf '| commits audited | %s |\n' "$audited"
printf '| generation (s) | %s |\n' "$gen_seconds"
printf '| rel audit, median of %s (ms) | %s (target < 10000) |\n' "$runs" "$audit_median"
printf '| findings, lawful history | 0 (exit 0) |\n'
printf '| findings, tampered copy | %s, exactly the injected ones (exit 1) |\n' "$injected"

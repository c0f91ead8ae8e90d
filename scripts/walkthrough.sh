#!/usr/bin/env bash
# Walks a release from `rel new` to `rel close` through the default pipeline
# in a temporary repository, printing each command and its output (the
# README section "A release from new to close" is this output). Build first:
# cargo build
export PATH="$(cd "$(dirname "$0")/.." && pwd)/target/debug:$PATH"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; cd "$dir"; export HOME="$dir" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export REL_ACTOR="Rita Manager <rm@vendor.example>"
say() { echo "# $*"; }
run() { printf "$"; for a in "$@"; do case "$a" in *" "*) printf " \"%s\"" "$a";; *) printf " %s" "$a";; esac; done; echo; "$@" 2>&1; local rc=$?; [ $rc -ne 0 ] && echo "(exit $rc)"; true; }
export REL_NOW=2026-11-20T14:00:00Z
say "Friday 20 November, 14:00"
run rel init
run rel incident new INC-101 --title "Invoice totals rounded twice" --component dll:Billing.dll --impact "Invoice totals are exact to the cent."
run rel incident resolve INC-101
run rel incident authorise INC-101 --by "Ana Client"
run rel incident test INC-101 --evidence https://wiki.example/tests/INC-101
run rel new --version 1.4.0 --title "Billing fixes"
run rel group R-2026-001 INC-101
export REL_NOW=2026-11-20T15:00:00Z
say "Friday 20 November, 15:00"
run rel promote R-2026-001
run rel check R-2026-001
run rel freeze R-2026-001
run rel plan R-2026-001
export REL_NOW=2026-11-25T15:00:00Z
say "Wednesday 25 November, 15:00: the uat soak of 3 business days is over"
run rel promote R-2026-001
run rel status
export REL_NOW=2026-12-02T15:00:00Z
say "Wednesday 2 December, 15:00: the staging soak of 5 business days is over"
run rel check R-2026-001
run rel tick R-2026-001 --env production 1
run rel tick R-2026-001 --env production 2
run rel tick R-2026-001 --env production "Access permissions reviewed"
run rel promote R-2026-001
run rel --yes promote R-2026-001
run rel close R-2026-001
run rel tick R-2026-001 --env production "Post-release tests passed on production"
run rel close R-2026-001
run rel list

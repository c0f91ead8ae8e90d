#!/usr/bin/env bash
# Writes a lawful release history by driving the real `rel` binary through
# whole release lives with an advancing REL_NOW (sourced by bench/audit.sh).
#
#   gen_lives REL REPO N
#
# Every commit is one rel made, at the instant REL_NOW says, so the audit
# must find nothing. The lives follow one another (a release leaves
# production before the next one is created), which keeps the exclusive
# staging lawful without bookkeeping. Variants, by release number:
# cancelled, rolled back from staging, held and resumed, scheduled into
# staging and promoted by `rel due --apply`; kinds 1 major : 4 minor : 5
# patch. Deterministic: the same N gives the same commits.
# Stops at the end of the life during which N rel commits are reached, so
# no release is left in progress (the tampering test starts from there).

AUDIT_PIPELINE='[calendar]
timezone = "UTC"
workdays = ["mon", "tue", "wed", "thu", "fri"]
holidays = []

[roles]
client = ["carla@client.example"]
release-manager = ["rita@vendor.example"]

[[environments]]
name = "development"

[[environments]]
name = "uat"
soak = { major = 10, minor = 3, patch = 0 }
entry_checklist = [
  { item = "UAT data refreshed from production", kinds = ["major"] },
]

[[environments]]
name = "staging"
soak = { major = 5, minor = 2, patch = 0 }
requires_frozen = true
exclusive = true

[[environments]]
name = "production"
requires_frozen = true
requires_health = true
confirm = true
approvals = ["client", "release-manager"]
distinct_approvers = true
windows = ["mon-fri 08:00-18:00"]
entry_checklist = [
  "Database structures compared with production",
  "Access permissions reviewed",
]
exit_checklist = ["Post-release tests passed on production"]
'

DEV="Dan Dev <dan@vendor.example>"
CLIENT="Carla Client <carla@client.example>"
MANAGER="Rita Manager <rita@vendor.example>"

# The clock: seconds since the epoch; each rel call is a minute later.
gen_clock_fmt() { TZ=UTC printf -v NOW '%(%Y-%m-%dT%H:%M:%SZ)T' "$T"; }

# Day D of the life (0 = its Monday): 09:00 on day 0, where the work is
# done; 14:00 on the later days, after any soak counted from day 0 ended.
gen_day() {
    if (($1 == 0)); then T=$((LIFE_START + 32400)); else T=$((LIFE_START + $1 * 86400 + 50400)); fi
}

# One rel command that commits, as actor $ACTOR.
gen_rel() {
    T=$((T + 60))
    gen_clock_fmt
    if ! REL_NOW="$NOW" REL_ACTOR="$ACTOR" "$GEN_REL" --yes "$@" >"$GEN_OUT" 2>>"$GEN_LOG"; then
        echo "audit bench: rel $* at $NOW failed:" >&2
        tail -5 "$GEN_LOG" >&2
        exit 2
    fi
    MADE=$((MADE + 1))
}

gen_life() {
    local i=$1 kind k n id incs=() j
    case $((i % 10)) in
        0) kind=major ;;
        1 | 4 | 6 | 8) kind=minor ;;
        *) kind=patch ;;
    esac
    case $kind in
        major) MAJ=$((MAJ + 1)) MIN=0 PAT=0 ;;
        minor) MIN=$((MIN + 1)) PAT=0 ;;
        patch) PAT=$((PAT + 1)) ;;
    esac
    gen_day 0
    ACTOR=$DEV
    n=$((1 + (i * 7) % 8))
    for ((j = 0; j < n; j++)); do
        INC=$((INC + 1))
        k="INC-$INC"
        incs+=("$k")
        gen_rel incident new "$k" --title "Change $INC of release $i"
        gen_rel incident resolve "$k"
        ACTOR=$CLIENT
        gen_rel incident authorise "$k" --by "Carla Client"
        ACTOR=$DEV
        gen_rel incident test "$k" --evidence "tests/INC-$INC.pdf"
    done
    T=$((T + 60))
    gen_clock_fmt
    id=$(REL_NOW="$NOW" REL_ACTOR="$ACTOR" "$GEN_REL" new --version "$MAJ.$MIN.$PAT" \
        --kind "$kind" --title "Release $i" 2>>"$GEN_LOG") || {
        echo "audit bench: rel new failed at $NOW" >&2
        exit 2
    }
    MADE=$((MADE + 1))
    gen_rel group "$id" "${incs[@]}"
    if ((i % 20 == 7)); then
        gen_rel cancel "$id" --reason "The client withdrew the request"
        LIFE_START=$((LIFE_START + 7 * 86400))
        return
    fi
    if ((i % 7 == 3)); then
        gen_rel hold "$id" --reason "Waiting for the client's go-ahead"
        T=$((T + 3600))
        gen_rel resume "$id"
    fi
    if [[ $kind == major ]]; then
        gen_rel tick "$id" --env uat 1
    fi
    gen_rel promote "$id"
    gen_rel freeze "$id"

    # Staging: after the uat soak (3 business days minor, 10 major).
    local s=7
    [[ $kind == major ]] && s=14
    if ((i % 5 == 2)); then
        TZ=UTC printf -v at '%(%Y-%m-%dT%H:%M:%SZ)T' $((LIFE_START + s * 86400 + 50400))
        gen_rel schedule "$id" --at "$at" --note "Agreed with the client"
        gen_day "$s"
        T=$((T - 60))
        gen_rel due --apply
    else
        gen_day "$s"
        gen_rel promote "$id"
    fi
    if ((i % 13 == 5)); then
        # Back to uat the next day (a Tuesday); its soak starts again and
        # has passed a week later (two for a major), on a Tuesday.
        gen_day $((s + 1))
        gen_rel rollback "$id" --to uat --reason "Data migration failed in staging"
        s=$((s + 8))
        [[ $kind == major ]] && s=$((s + 7))
        gen_day "$s"
        gen_rel promote "$id"
    fi
    gen_rel verify "$id" --passed 120 --failed 0

    # Production: after the staging soak (2 business days minor, 5 major),
    # inside the window, approved by both roles, entry checklist ticked.
    local p=$((s + 1))
    [[ $kind == minor ]] && p=$((s + 3))
    [[ $kind == major ]] && p=$((s + 7))
    gen_day "$p"
    ACTOR=$CLIENT
    gen_rel approve "$id" --env production --role client
    ACTOR=$MANAGER
    gen_rel approve "$id" --env production --role release-manager
    gen_rel tick "$id" --env production 1
    gen_rel tick "$id" --env production 2
    gen_rel promote "$id"
    T=$((T + 3600))
    gen_rel tick "$id" --env production 1
    gen_rel close "$id"
    # The next life starts the Monday after.
    LIFE_START=$((LIFE_START + (p / 7 + 1) * 7 * 86400))
}

# gen_lives REL REPO N: a new repository in REPO with N rel commits.
gen_lives() {
    local rel=$1 repo=$2 n=$3
    mkdir -p "$repo"
    (
        cd "$repo" || exit 2
        GEN_REL=$rel GEN_N=$n GEN_LOG=$repo/../generate.log GEN_OUT=/dev/null
        : >"$GEN_LOG"
        MAJ=1 MIN=0 PAT=0 INC=0 MADE=0
        # Monday 2013-01-07 00:00 UTC.
        LIFE_START=1357516800
        T=$((LIFE_START + 3600 * 9))
        ACTOR=$MANAGER
        gen_rel init
        # No background gc while rel writes (it would hold the ref locks);
        # bench/audit.sh packs once at the end.
        git config gc.auto 0
        git config maintenance.auto false
        printf '%s' "$AUDIT_PIPELINE" >environments.toml
        # The team's pipeline, a policy change committed by hand (no finding).
        gen_clock_fmt
        git add environments.toml
        GIT_AUTHOR_DATE=$NOW GIT_COMMITTER_DATE=$NOW git commit -q \
            --author "$MANAGER" -m "Our pipeline"
        local i=1
        while ((MADE < GEN_N)); do
            gen_life "$i"
            i=$((i + 1))
        done
        echo "$MADE" >"$repo/../commits"
    )
}

#!/usr/bin/env bash
# Injects a fixed set of tampering on top of a lawful history made by
# bench/audit_lives.sh (sourced by bench/audit.sh; the same four as
# tests/all/audit_injected.rs).
#
#   tamper_history REL REPO EXPECTED
#
# First, lawfully with rel, the week after the last commit: release A
# frozen in uat, release B in staging (a minor: 2 business days of soak
# there), release D in development. Then four commits, each written to be
# exactly one finding, listed as "KIND COMMIT" lines in EXPECTED:
#   1. hand-edit: A's state frozen -> open, committed by hand;
#   2. refused:   an approval of B for production as client, rewritten by
#                 hand as Bo's, who is not a client;
#   3. refused:   B moved to production by hand with promote trailers,
#                 before its staging soak has passed;
#   4. time:      a `rel hold` of D whose commit and recorded time are set
#                 back before D was created.

TAMPER_DEV="Dan Dev <dan@vendor.example>"
TAMPER_CLIENT="Carla Client <carla@client.example>"

tamper_at() { TZ=UTC printf -v NOW '%(%Y-%m-%dT%H:%M:%SZ)T' "$1"; }

# rel at epoch second $1, as actor $TAMPER_ACTOR; prints rel's stdout.
tamper_rel() {
    local at=$1
    shift
    tamper_at "$at"
    REL_NOW="$NOW" REL_ACTOR="$TAMPER_ACTOR" "$TAMPER_REL" --yes "$@" 2>>"$TAMPER_LOG" || {
        echo "audit bench: tampering setup: rel $* at $NOW failed:" >&2
        tail -5 "$TAMPER_LOG" >&2
        exit 2
    }
}

# A commit of the work tree by hand: author $1, date epoch $2, message $3.
tamper_commit() {
    tamper_at "$2"
    git add -A
    GIT_AUTHOR_DATE=$NOW GIT_COMMITTER_DATE=$NOW git commit -q --author "$1" -m "$3"
}

tamper_history() {
    TAMPER_REL=$1
    local repo=$2 expected=$3
    (
        cd "$repo" || exit 2
        TAMPER_LOG=$repo/../tamper.log
        : >"$TAMPER_LOG"
        : >"$expected"
        local last mon t a b d inc
        last=$(git log -1 --format=%at)
        # The Monday after the last commit (1970-01-05 was a Monday).
        mon=$((345600 + ((last - 345600) / 604800 + 1) * 604800))
        t=$((mon + 9 * 3600))
        TAMPER_ACTOR=$TAMPER_DEV
        for inc in INC-90001 INC-90002; do
            tamper_rel $((t += 60)) incident new "$inc" --title "Tampering bench $inc" >/dev/null
            tamper_rel $((t += 60)) incident resolve "$inc" >/dev/null
            tamper_rel $((t += 60)) incident authorise "$inc" --by "Carla Client" >/dev/null
            tamper_rel $((t += 60)) incident test "$inc" --evidence tests/bench.pdf >/dev/null
        done
        a=$(tamper_rel $((t += 60)) new --version 90.0.1 --title "Tamper A")
        tamper_rel $((t += 60)) group "$a" INC-90001 >/dev/null
        tamper_rel $((t += 60)) promote "$a" >/dev/null
        tamper_rel $((t += 60)) freeze "$a" >/dev/null
        b=$(tamper_rel $((t += 60)) new --version 90.1.0 --title "Tamper B")
        tamper_rel $((t += 60)) group "$b" INC-90002 >/dev/null
        tamper_rel $((t += 60)) freeze "$b" >/dev/null
        tamper_rel $((t += 60)) promote "$b" >/dev/null
        d=$(tamper_rel $((t += 60)) new --version 90.2.0 --title "Tamper D")
        # Thursday 14:00: B's 3 business days in uat have passed.
        tamper_rel $((mon + 3 * 86400 + 14 * 3600)) promote "$b" >/dev/null
        local fri=$((mon + 4 * 86400))

        # 1. A hand edit of A's state.
        sed -i 's/^state = "frozen"$/state = "open"/' "releases/$a.toml"
        tamper_commit "$TAMPER_DEV" $((fri + 8 * 3600)) "Reopen $a"
        echo "hand-edit $(git rev-parse HEAD)" >>"$expected"

        # 2. Carla's approval, rewritten as Bo's (not a client).
        TAMPER_ACTOR=$TAMPER_CLIENT
        tamper_rel $((fri + 9 * 3600)) approve "$b" --env production --role client >/dev/null
        sed -i 's/carla@client\.example/bo@vendor.example/; s/Carla Client/Bo Jones/' "releases/$b.toml"
        git add -A
        GIT_COMMITTER_DATE=$NOW git commit -q --amend --no-edit \
            --author "Bo Jones <bo@vendor.example>" --date "$NOW"
        echo "refused $(git rev-parse HEAD)" >>"$expected"

        # 3. B moved to production by hand, with rel's trailers, a day into
        #    its 2-day staging soak.
        tamper_at $((fri + 10 * 3600))
        sed -i "s/^environment = \"staging\"$/environment = \"production\"/; s/^entered_at = .*/entered_at = \"$NOW\"/" "releases/$b.toml"
        printf '\n[[history]]\nat = "%s"\nby = "%s"\naction = "promote"\nenv = "production"\nfrom = "staging"\n' \
            "$NOW" "$TAMPER_DEV" >>"releases/$b.toml"
        tamper_commit "$TAMPER_DEV" $((fri + 10 * 3600)) "rel: promote $b to production

Rel-Action: promote
Rel-Release: $b
Rel-Env: production"
        echo "refused $(git rev-parse HEAD)" >>"$expected"

        # 4. A hold of D on Friday, set back to the Sunday before D existed.
        TAMPER_ACTOR=$TAMPER_DEV
        tamper_rel $((fri + 11 * 3600)) hold "$d" --reason "Waiting" >/dev/null
        local fri_at=$NOW
        tamper_at $((mon - 86400 + 11 * 3600))
        sed -i "s/$fri_at/$NOW/g" "releases/$d.toml"
        git add -A
        GIT_COMMITTER_DATE=$NOW git commit -q --amend --no-edit --date "$NOW"
        echo "time $(git rev-parse HEAD)" >>"$expected"
    )
}

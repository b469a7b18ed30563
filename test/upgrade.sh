#!/usr/bin/env bash
# test/upgrade.sh: ALTER EXTENSION settle UPDATE from every released version.
# For the previous release (its git tag): build its install script from the
# tagged tree, install it beside the current build, fill a database with a
# year of that version's data (quotas, referrals received and withdrawn, a
# revision, a pause, a sealed log), update it, and check that
#   - every row that existed is unchanged,
#   - the audit is empty and the log's chain intact,
#   - the schema equals a fresh install of the current version, object by
#     object (relations, columns, constraints, indexes, triggers, functions,
#     privileges, policies, comments, what pg_dump keeps),
#   - pg_dump of the updated database restores into a fresh cluster database.
# Run by test/check.sh after settle is built and installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
new=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$SETTLE_TOP/settle.control")
# every released version (RELEASE_COMMITS records each one's commit: a clone
# made without tags may still fetch them, or hold the tagged commit itself)
declare -A RELEASE_COMMITS=([0.1.0]=defd6a2 [0.2.0]=7f9fd65)
olds=${SETTLE_UPGRADE_FROM:-$(printf '%s\n' "${!RELEASE_COMMITS[@]}" | sort -V | paste -sd' ')}
work=$SETTLE_TOP/build/upgrade
rm -rf "$work"
mkdir -p "$work"
chmod 777 "$work"
share=$("$PG_CONFIG" --sharedir)/extension
if [ "$(id -u)" -eq 0 ]; then dest=$share; else dest=$SETTLE_PGROOT$share; fi
[ -d "$dest" ] || die "settle is not installed in $dest (run test/check.sh)"
for old in $olds; do
    [ "$old" != "$new" ] || continue
    ref=v$old
    if ! git -C "$SETTLE_TOP" rev-parse -q --verify "$ref^{commit}" >/dev/null; then
        git -C "$SETTLE_TOP" fetch -q --tags >/dev/null 2>&1 || true
        git -C "$SETTLE_TOP" rev-parse -q --verify "$ref^{commit}" >/dev/null || ref=${RELEASE_COMMITS[$old]:-}
    fi
    [ -n "$ref" ] && git -C "$SETTLE_TOP" rev-parse -q --verify "$ref^{commit}" >/dev/null \
        || die "neither the tag v$old nor its commit is in this clone (git fetch --tags, or clone without --depth)"
    ls "$SETTLE_TOP/src/upgrade/settle--$old--"*.sql >/dev/null 2>&1 || die "no upgrade script from $old in src/upgrade/"
    say "building settle $old's install script from $ref"
    mkdir -p "$work/tree-$old"
    git -C "$SETTLE_TOP" archive "$ref" | tar -x -C "$work/tree-$old"
    make -s -C "$work/tree-$old" "build/settle--$old.sql" >/dev/null || die "cannot build settle--$old.sql from $ref"
    # (in a private tree the name may be a link to the system's copy: replace it)
    rm -f "$dest/settle--$old.sql"
    cp "$work/tree-$old/build/settle--$old.sql" "$dest/settle--$old.sql"
done

# one released version, updated to the current one (through every step)
one_version() {
    set -euo pipefail
    local old=$1 v=${1//./_}
    local up=up_$v fresh=fresh_$v restored=restored_$v
    q() { local db=$1; shift; case $db in up) db=$up;; fresh) db=$fresh;; restored) db=$restored;; esac; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
    printf '\n==> %s\n' "updating settle $old to $new with data, against a fresh $new" >&2
    createdb $up; createdb $fresh
    q fresh -c "CREATE EXTENSION settle" >/dev/null
    q up -c "CREATE EXTENSION settle VERSION '$old'" >/dev/null
    check "settle $old installs from its tag" "$(q up -c "SELECT extversion FROM pg_extension WHERE extname = 'settle'")" "$old"
    # a year of the old version's data
    q up >/dev/null <<'SQL'
SET settle.today = '2027-03-31';
INSERT INTO settle.planning_year (year, national_volume, decision_ref) VALUES (2027, 12000, 'Ju2026/1');
INSERT INTO settle.model_weight (year, factor, weight) VALUES (2027, 'population', 1);
INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;
SELECT count(*) FROM settle.decide_county_quotas(2027, 'Ju2026/2', '2026-12-01');
SELECT count(*) FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'L-' || c.letter, '2026-12-15');
SELECT count(*) FROM settle.spread_plan(2027);
INSERT INTO settle.capability VALUES (2027, '1081', 'unaccompanied_minor');
SELECT count(settle.refer(settle.register_household('U-' || g, CASE WHEN g % 5 = 0 THEN 'quota_refugee' ELSE 'abo' END, 1 + g % 4,
                                                      (CASE WHEN g % 5 = 0 THEN NULL ELSE '1080' END)::settle.kommunkod, '2026-10-01'::date,
                                                      CASE WHEN g = 7 THEN '{unaccompanied_minor}'::text[] ELSE '{}' END),
                          (CASE WHEN g % 2 = 0 THEN '1080' ELSE '1081' END)::settle.kommunkod, '2027-01-10 10:00+01'))
  FROM generate_series(1, 10) g;
SELECT count(settle.receive(id, '2027-02-01')) FROM settle.referral WHERE id <= 6;
SELECT settle.withdraw(9, 'declined');
SELECT * FROM settle.revise_quotas(2027, 'A-1', ARRAY['1082', '1083']::settle.kommunkod[], ARRAY[1, -1], '2027-02-15');
SELECT settle.pause(2027, '1083', '2027-04-01', '2027-04-30', 'renovation');
SELECT settle.seal_log();
SQL
    local tables checksum t
    tables=$(q up -c "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
                       WHERE c.relnamespace = 'settle'::regnamespace AND c.relkind = 'r'")
    checksum="SELECT string_agg(t || ':' || md5(coalesce(x, '')), ' ' ORDER BY t) FROM (VALUES %s) v(t, x)"
    # each table's columns as the old version has them (new columns are
    # checked apart: every old row must be in the stream ordinary)
    declare -A cols
    for t in $tables; do
        cols[$t]=$(q up -c "SELECT string_agg(format('r.%I', a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
                             WHERE a.attrelid = 'settle.$t'::regclass AND a.attnum > 0 AND NOT a.attisdropped")
    done
    sums() {
        local db=$1 values="" t
        for t in $tables; do
            values+="${values:+, }('$t', (SELECT string_agg(r::text, '|' ORDER BY r::text) FROM settle.$t r))"
        done
        q "$db" -c "$(printf "$checksum" "$values")"
    }
    # every row, one line each: TABLE|row (the old version's columns)
    rows() {
        local db=$1 t
        for t in $tables; do
            q "$db" -c "SELECT '$t|' || ROW(${cols[$t]})::text FROM settle.$t r"
        done | LC_ALL=C sort
    }
    rows up >"$work/before"
    q up -c "ALTER EXTENSION settle UPDATE" >/dev/null
    check "ALTER EXTENSION settle UPDATE reaches $new" "$(q up -c "SELECT extversion FROM pg_extension WHERE extname = 'settle'")" "$new"
    rows up >"$work/after"
    check "every row of $old's tables is still there, unchanged" \
        "$(LC_ALL=C comm -23 "$work/before" "$work/after" | head -5)" ""
    # (rows a version ships, e.g. a new setting, are the only ones it adds)
    check "... and the update adds only newly shipped settings" \
        "$(LC_ALL=C comm -13 "$work/before" "$work/after" | cut -d'|' -f1 | sort -u | tr '\n' ' ')" \
        "$( [ "$(q fresh -c "SELECT count(*) FROM settle.setting")" -gt "$(grep -c '^setting|' "$work/before")" ] && echo 'setting ')"
    check "every received referral entered the reception register, nothing else" \
        "$(q up -c "SELECT (SELECT count(*) FROM settle.reception)::text || '/' || (SELECT count(*) FROM settle.referral WHERE status = 'received')
                    || ' ' || (SELECT sum(unaccompanied) FROM settle.reception)")" "6/6 0"
    check "every quota, plan, revision, history row and referral is in the stream ordinary" \
        "$(q up -c "SELECT string_agg(t || '=' || n, ' ' ORDER BY t) FROM (
                      SELECT 'county_quota' t, count(*) FILTER (WHERE stream <> 'ordinary') n FROM settle.county_quota UNION ALL
                      SELECT 'municipal_quota', count(*) FILTER (WHERE stream <> 'ordinary') FROM settle.municipal_quota UNION ALL
                      SELECT 'annual_plan', count(*) FILTER (WHERE stream <> 'ordinary') FROM settle.annual_plan UNION ALL
                      SELECT 'revision', count(*) FILTER (WHERE stream <> 'ordinary') FROM settle.revision UNION ALL
                      SELECT 'quota_history', count(*) FILTER (WHERE stream <> 'ordinary') FROM settle.quota_history UNION ALL
                      SELECT 'referral', count(*) FILTER (WHERE stream <> 'ordinary') FROM settle.referral UNION ALL
                      SELECT 'household_named', count(*) FILTER (WHERE stream IS NOT NULL) FROM settle.household) x")" \
        "annual_plan=0 county_quota=0 household_named=0 municipal_quota=0 quota_history=0 referral=0 revision=0"
    check "... and the status reads as before, in the stream ordinary" \
        "$(q up -c "SELECT count(*) || ' ' || sum(referred) || ' ' || string_agg(DISTINCT stream, ',') FROM settle.quota_status(2027, '2027-03-31') WHERE level = 'municipality'")" \
        "290 $(q up -c "SELECT sum(persons) FROM settle.referral WHERE status <> 'withdrawn'") ordinary"
    check "the audit is empty after the update" "$(q up -c "SELECT count(*) FROM settle.audit()")" "0"
    check "the decision log's chain is intact" "$(q up -c "SELECT intact || ' ' || unsealed FROM settle.verify_log()")" "true 0"
    q up -c "SET settle.today = '2027-04-02'; SELECT settle.receive(7, '2027-04-02')" >/dev/null
    check "settle works on after the update (a reception enters the register)" \
        "$(q up -c "SELECT count(*) || ' ' || sum(unaccompanied) FROM settle.reception")" "7 $(q up -c "SELECT persons FROM settle.referral WHERE id = 7")"
    check "... and the updated year takes a second stream, decided and referred to, with a clean audit" \
        "$(q up -c "SET settle.today = '2027-04-03';
                    INSERT INTO settle.year_stream (year, stream, national_volume, decision_ref) VALUES (2027, 'temporary_protection', 500, 'Ju2027/9');
                    SELECT count(*) FROM settle.decide_distribution_numbers(2027, 'MV-1');
                    SELECT settle.refer(settle.register_household('TP-1', 'temporary_protection', 2, '0180', '2027-03-01'), '0180');
                    SELECT (SELECT stream || ' ' || persons FROM settle.referral WHERE id = (SELECT max(id) FROM settle.referral))
                           || ' ' || (SELECT count(*) FROM settle.audit())" | tail -1)" "temporary_protection 2 0"

    # the schema, object by object, against a fresh install
    cat >"$work/schema.sql" <<'SQL'
-- privileges compared as sets (their order is the order of the GRANTs)
CREATE FUNCTION pg_temp.acl(a aclitem[]) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a) x $$;
SELECT 'rel ' || c.relname || ' ' || c.relkind::text || ' rls=' || c.relrowsecurity || ' acl=' || coalesce(pg_temp.acl(c.relacl), '-')
       || ' comment=' || coalesce(md5(obj_description(c.oid, 'pg_class')), '-')
  FROM pg_class c WHERE c.relnamespace = 'settle'::regnamespace
UNION ALL
SELECT 'col ' || c.relname || '.' || a.attname || ' #' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ' acl=' || coalesce(pg_temp.acl(a.attacl), '-')
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 WHERE c.relnamespace = 'settle'::regnamespace
UNION ALL
SELECT 'con ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'settle'::regnamespace
UNION ALL
SELECT 'idx ' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'settle'::regnamespace
UNION ALL
SELECT 'trg ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'settle'::regnamespace AND NOT t.tgisinternal
UNION ALL
SELECT 'fn ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid)) || ' owner=' || pg_get_userbyid(p.proowner)
       || ' acl=' || coalesce(pg_temp.acl(p.proacl), '-') || ' comment=' || coalesce(md5(obj_description(p.oid, 'pg_proc')), '-')
  FROM pg_proc p WHERE p.pronamespace = 'settle'::regnamespace AND p.prokind <> 'a'
UNION ALL
SELECT 'pol ' || pol.polrelid::regclass || ' ' || pol.polname || ' ' || pol.polcmd::text || ' ' || pol.polroles::regrole[]::text
       || ' ' || coalesce(pg_get_expr(pol.polqual, pol.polrelid), '-') || ' ' || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '-')
  FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid WHERE c.relnamespace = 'settle'::regnamespace
UNION ALL
SELECT 'view ' || c.relname || ' ' || md5(pg_get_viewdef(c.oid)) FROM pg_class c WHERE c.relnamespace = 'settle'::regnamespace AND c.relkind = 'v'
UNION ALL
SELECT 'type ' || t.typname || ' ' || t.typtype::text || ' comment=' || coalesce(md5(obj_description(t.oid, 'pg_type')), '-')
  FROM pg_type t WHERE t.typnamespace = 'settle'::regnamespace AND t.typtype IN ('b', 'c', 'd', 'e') AND t.typrelid = 0
UNION ALL
SELECT 'dump ' || x.t::regclass || ' ' || x.cond FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(t, cond) WHERE e.extname = 'settle'
UNION ALL
SELECT 'member ' || pg_describe_object(d.classid, d.objid, 0) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
 WHERE e.extname = 'settle' AND d.deptype = 'e'
ORDER BY 1;
SQL
    q up -f "$work/schema.sql" >"$work/schema.up"
    q fresh -f "$work/schema.sql" >"$work/schema.fresh"
    check "the updated schema equals a fresh $new install ($(wc -l <"$work/schema.fresh") objects compared)" \
        "$(diff "$work/schema.fresh" "$work/schema.up" | head -20)" ""

    # dump the updated database, restore it into a fresh one
    pg_dump -Fc -d $up -f "$work/up.dump"
    createdb $restored
    PGOPTIONS='-c session_replication_role=replica' pg_restore -d $restored "$work/up.dump" 2>"$work/restore.log" || true
    check "pg_dump of the updated database restores without errors" "$(grep -c 'ERROR' "$work/restore.log" || true)" "0"
    check "... into settle $new" "$(q restored -c "SELECT extversion FROM pg_extension WHERE extname = 'settle'")" "$new"
    sums up >"$work/up.final"; sums restored >"$work/restored.final"
    check "... with every row" "$(diff "$work/up.final" "$work/restored.final" >/dev/null && echo same)" "same"
    check "... a clean audit and an intact log" "$(q restored -c "SELECT count(*) FROM settle.audit()")/$(q restored -c "SELECT intact FROM settle.verify_log()")" "0/t"
}
in_cluster() {
    set -euo pipefail
    . "$SETTLE_TOP/test/lib/tap.sh"    # check NAME GOT WANT
    for old in $olds; do
        [ "$old" != "$new" ] || continue
        one_version "$old"
    done
    [ "$failed" -eq 0 ]
}
export -f in_cluster one_version
export work olds new SETTLE_TOP
settle_in_cluster bash -c in_cluster || die "an upgrade to $new failed"
say "every released version ($olds) updates to $new"

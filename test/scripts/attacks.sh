#!/usr/bin/env bash
# TAP: attacks as a hostile login would make them, each with its exact
# outcome.  Real LOGIN roles (an agency login, two county boards, two
# municipalities, an auditor, an analyst, an outsider) connect as themselves
# (psql -U, over the cluster's socket) to a year decided for every county.
# The numbers F1..F15 are the findings of the security issue; every check
# here failed on the code before the fix.  Runs in the cluster that
# test/check.sh started (PG* variables).
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib/tap.sh
db=settle_attacks_$$
logins="atk_agency atk_board_k atk_board_ab atk_kommun_1081 atk_kommun_1082 atk_auditor atk_analyst atk_outsider"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-attacks.XXXXXX")
chmod 755 "$tmp"
drop_all() {
    dropdb --if-exists $db >/dev/null 2>&1
    for r in $logins; do psql -X -q -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap 'drop_all; rm -rf "$tmp"' EXIT
drop_all
createdb $db || { echo "Bail out! createdb failed"; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null 2>"$tmp/setup.err" <<'SQL' || { echo "Bail out! setup failed"; cat "$tmp/setup.err"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION settle;
INSERT INTO settle.planning_year (year, national_volume) VALUES (2027, 20000);
INSERT INTO settle.model_weight VALUES (2027, 'population', 1);
INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;
SELECT count(*) FROM settle.decide_county_quotas(2027, 'J', '2026-06-15');
SELECT count(*) FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'L', '2026-11-15');
SELECT settle.refer(settle.register_household('A-' || m, 'abo', 2, m, '2026-10-01'), m, '2027-01-10 10:00+01')
  FROM unnest(ARRAY['1081', '1082', '0180', '0114']::settle.kommunkod[]) m;
SELECT settle.pause(2027, '1082', '2027-06-01', '2027-06-30', 'renovation');
SELECT settle.seal_log();
CREATE ROLE atk_agency LOGIN IN ROLE settle_agency;
CREATE ROLE atk_board_k LOGIN IN ROLE settle_county_board;
CREATE ROLE atk_board_ab LOGIN IN ROLE settle_county_board;
CREATE ROLE atk_kommun_1081 LOGIN IN ROLE settle_municipality;
CREATE ROLE atk_kommun_1082 LOGIN IN ROLE settle_municipality;
CREATE ROLE atk_auditor LOGIN IN ROLE settle_auditor;
CREATE ROLE atk_analyst LOGIN IN ROLE settle_analyst;
CREATE ROLE atk_outsider LOGIN;
INSERT INTO settle.role_scope VALUES ('atk_board_k', '10', NULL), ('atk_board_ab', '01', NULL),
    ('atk_kommun_1081', '10', '1081'), ('atk_kommun_1082', '10', '1082');
SQL
# as LOGIN: the result, or the SQLSTATE of the first error
as() {
    local who=$1 sql=$2 out
    out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -U "$who" -d $db -c "$sql" 2>&1)
    if grep -q '^ERROR:' <<<"$out"; then printf '%s' "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1
    else printf '%s' "$out"; fi
}
# the whole error text (for leaks)
as_msg() { psql -X -q -A -t -v ON_ERROR_STOP=1 -U "$1" -d $db -c "$2" 2>&1; }
su() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d $db -c "$1" 2>&1; }
super_count() { su "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'atk\_%' AND rolsuper"; }
echo "1..81"

# ---- F1: definer code cannot be hijacked through pg_temp
evil="CREATE FUNCTION pg_temp.evil(t text) RETURNS boolean LANGUAGE plpgsql AS \$\$
        BEGIN EXECUTE format('ALTER ROLE %I SUPERUSER', session_user); RAISE EXCEPTION 'hijacked'; END \$\$;"
check "F1 a county board's pg_temp.text domain does not run in the quota triggers" \
    "$(as atk_board_k "$evil CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (pg_temp.evil(VALUE));
        UPDATE settle.municipal_quota SET decision_ref = 'L2' WHERE year = 2027 AND municipality = '1080' RETURNING quota > 0")" "t"
check "F1 a municipality's shadowed types do not run in the pause triggers" \
    "$(as atk_kommun_1081 "$evil CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (pg_temp.evil(VALUE));
        CREATE DOMAIN pg_temp.jsonb AS pg_catalog.jsonb CHECK (pg_temp.evil(VALUE::pg_catalog.text));
        CREATE DOMAIN pg_temp.int4 AS pg_catalog.int4 CHECK (pg_temp.evil(VALUE::pg_catalog.text));
        SELECT settle.pause(2027, '1081', '2027-03-01', '2027-03-02', 'full') > 0")" "t"
check "F1 the agency's temp tables named like settle's do not shadow them in refer()" \
    "$(as atk_agency "$evil CREATE TEMP TABLE municipal_quota (year int, municipality text, quota int, referred int);
        CREATE TEMP TABLE setting (name text, value text); CREATE TEMP TABLE household (id bigint, persons int);
        CREATE TEMP TABLE decision_log (x int); CREATE TEMP VIEW pg_roles AS SELECT * FROM pg_catalog.pg_roles;
        SELECT settle.refer(settle.register_household('F1', 'abo', 1, '1083', '2026-10-01'), '1083', '2027-01-12 10:00+01') > 0")" "t"
check "F1 a temp timezone() and a hostile search_path do not change settle's Swedish day (bodies bound at CREATE)" \
    "$(as atk_agency "CREATE FUNCTION pg_temp.timezone(text, timestamptz) RETURNS timestamp LANGUAGE sql AS 'SELECT timestamp ''1999-01-01''';
        SET search_path = pg_temp, pg_catalog; SELECT settle.local_date('2027-06-30 22:30+00')")" "2027-07-01"
# ---- F16 (issue 15, time): the effective clock is the writer's claim, bounded; the recorded clock is not theirs
check "F16 a county board's settle.today in 2099 cannot date a kommuntal after its year" \
    "$(as atk_board_k "SET settle.today = '2099-01-01'; SELECT count(*) FROM settle.revise_quotas(2027, 'far', ARRAY['1080', '1081']::settle.kommunkod[], ARRAY[1, -1])")" "23514"
check "F16 ... and settle.today never moves the recorded clock of a referral" \
    "$(as atk_agency "SET settle.today = '2031-06-01'; SELECT settle.refer(settle.register_household('F16', 'abo', 1, '1083', '2026-10-01'), '1083', '2027-01-12 10:00+01') > 0;
        SELECT recorded_at BETWEEN now() AND clock_timestamp() FROM settle.referral r JOIN settle.household h ON h.id = r.household WHERE h.ref = 'F16'" | tail -1)" "t"
# ---- F17 (0.2.0, the reception register): lookalikes do not divert receive()
check "F17 the agency's temp table and function named like the register's do not divert receive()" \
    "$(as atk_agency "CREATE TEMP TABLE reception (municipality text, received_on date, category text, persons int, unaccompanied int, referral bigint, source text);
        CREATE FUNCTION pg_temp.reception_category_of(text) RETURNS text LANGUAGE sql AS 'SELECT ''tourists''';
        CREATE TEMP TABLE pick AS SELECT settle.refer(settle.register_household('F17', 'abo', 1, '1083', '2026-10-01'), '1083', '2027-01-12 11:00+01') AS id;
        SELECT settle.receive((SELECT id FROM pick), '2027-03-01') IS NOT NULL;
        SELECT count(*) || ' ' || min(r.category) FROM settle.reception r WHERE r.referral = (SELECT id FROM pick)" | tail -1)" "1 from_accommodation"
check "F1 no login became superuser" "$(super_count)" "0"
check "F1 every settle function in SQL or PL/pgSQL pins search_path = pg_catalog, settle, pg_temp (or has a body bound at CREATE)" \
    "$(su "SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.pronamespace = 'settle'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
              AND p.prosqlbody IS NULL             -- SQL-standard bodies are bound at CREATE: no look-up when they run
              AND p.proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, settle, pg_temp']")" "0"
check "F1 settle's C functions do no name look-ups (no SPI in src/)" "$(grep -l 'SPI_' src/*.c | wc -l)" "0"
check "F1 every SECURITY DEFINER function is owned by settle_definer" \
    "$(su "SELECT count(*) FILTER (WHERE proowner <> 'settle_definer'::regrole) || '/' || (count(*) > 5)::text
             FROM pg_proc WHERE pronamespace = 'settle'::regnamespace AND prosecdef")" "0/true"
check "F1 settle_definer cannot log in and holds no special attribute" \
    "$(su "SELECT rolcanlogin OR rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = 'settle_definer'")" "f"

# ---- F2: scope cannot be faked with a temp pg_roles
fake_roles="CREATE TEMP VIEW pg_roles AS SELECT r.oid, s.role AS rolname FROM pg_catalog.pg_roles r, settle.role_scope s WHERE r.rolname = current_user;"
check "F2 a county board with a fake pg_roles still sees only its county" \
    "$(as atk_board_k "$fake_roles SELECT string_agg(DISTINCT county::text, ',') FROM settle.municipal_quota")" "10"
check "F2 ... and cannot revise another county's quotas" \
    "$(as atk_board_k "$fake_roles SELECT count(*) FROM settle.revise_quotas(2027, 'x', ARRAY['0180', '0114']::settle.kommunkod[], ARRAY[50, -50])")" "P0002"
check "F2 a municipality with a fake pg_roles sees only its own referrals" \
    "$(as atk_kommun_1081 "$fake_roles SELECT string_agg(municipality::text, ',') FROM settle.referral")" "1081"
check "F2 the quotas of county 01 are unchanged" \
    "$(su "SELECT string_agg(quota::text, ',' ORDER BY municipality) = (SELECT string_agg(quota::text, ',' ORDER BY municipality)
             FROM settle.quota_as_of(2027, 'infinity') WHERE county = '01' AND municipality IS NOT NULL)
             FROM settle.municipal_quota WHERE year = 2027 AND county = '01'")" "t"

# ---- F3: a municipality receives, it never withdraws
check "F3 a municipality cannot withdraw its referral by UPDATE" \
    "$(as atk_kommun_1081 "UPDATE settle.referral SET status = 'withdrawn'")" "23514"
check "F3 ... not even with a reason" \
    "$(as atk_kommun_1081 "UPDATE settle.referral SET status = 'withdrawn', withdrawn_at = now(), withdraw_reason = 'x'")" "42501"
check "F3 ... nor mark it received on infinity" \
    "$(as atk_kommun_1081 "UPDATE settle.referral SET status = 'received', received_on = 'infinity'")" "23514"
check "F3 ... nor through settle.receive" \
    "$(as atk_kommun_1081 "SELECT settle.receive(id, 'infinity') FROM settle.referral")" "22023"
check "F3 ... nor call settle.withdraw" "$(as atk_kommun_1081 "SELECT settle.withdraw(id, 'x') FROM settle.referral")" "42501"
check "F3 it receives its own referral" \
    "$(as atk_kommun_1081 "SELECT (settle.receive(id, '2027-02-01')).status FROM settle.referral")" "received"
check "F3 the agency withdraws only with a reason" \
    "$(as atk_agency "UPDATE settle.referral SET status = 'withdrawn', withdrawn_at = now() WHERE municipality = '1082'")" "23514"

# ---- F4: a plain INSERT meets every rule of refer()
su "INSERT INTO settle.capability VALUES (2027, '1083', 'large_dwelling');
    SELECT settle.register_household('F4-big', 'abo', 40, '1083', '2026-10-01', '{accessible_housing}');
    SELECT settle.register_household('F4-small', 'abo', 3, '1083', '2026-10-01');" >/dev/null
hh() { su "SELECT id FROM settle.household WHERE ref = '$1'"; }
big=$(hh F4-big) small=$(hh F4-small)
check "F4 INSERT of a 40-person household as 1 person is refused" \
    "$(as atk_agency "INSERT INTO settle.referral (household, year, municipality, persons, decided_at, deadline)
                      VALUES ($big, 2027, '1083', 1, '2027-02-01 10:00+01', '2027-04-01')")" "23514"
check "F4 ... with its persons left out, its unmet need is refused" \
    "$(as atk_agency "INSERT INTO settle.referral (household, municipality, decided_at) VALUES ($big, '1083', '2027-02-01 10:00+01')")" "23514"
check "F4 a referral on a paused day is refused" \
    "$(as atk_agency "INSERT INTO settle.referral (household, municipality, decided_at) VALUES ($small, '1082', '2027-06-10 10:00+02')")" "23514"
check "F4 a deadline in 1999 is refused" \
    "$(as atk_agency "INSERT INTO settle.referral (household, municipality, decided_at, deadline) VALUES ($small, '1083', '2027-02-01 10:00+01', '1999-01-01')")" "23514"
check "F4 a writable CTE meets the same rules" \
    "$(as atk_agency "WITH x AS (INSERT INTO settle.referral (household, municipality, decided_at, persons) VALUES ($small, '1083', '2027-02-01 10:00+01', 1) RETURNING 1) SELECT count(*) FROM x")" "23514"
check "F4 a plain INSERT with nothing to correct is issued, persons and deadline by settle" \
    "$(as atk_agency "INSERT INTO settle.referral (household, municipality, decided_at) VALUES ($small, '1083', '2027-02-01 10:00+01') RETURNING persons || ' ' || deadline")" "3 2027-04-01"
check "F4 a referred household's persons cannot change" \
    "$(as atk_agency "UPDATE settle.household SET persons = 1 WHERE id = $small")" "23514"
check "F4 the audit re-checks referrals from the data" \
    "$(su "ALTER TABLE settle.referral DISABLE TRIGGER referral_write;
           INSERT INTO settle.referral (household, year, municipality, persons, decided_at, deadline, stream)
           VALUES ($big, 2027, '1083', 1, '2027-02-01 10:00+01', '1999-01-01', 'ordinary');
           ALTER TABLE settle.referral ENABLE TRIGGER referral_write;
           SELECT string_agg(DISTINCT rule, ',' ORDER BY rule) FROM settle.audit(2027) WHERE rule IN ('referral_as_issued', 'referred_count_matches_referrals')")" \
    "referral_as_issued,referred_count_matches_referrals"

# ---- F5: the log cannot be forged through settings
as atk_board_k "BEGIN;
    SET LOCAL settle.revision = '{\"agreement_ref\": \"FORGED\"}'; SET LOCAL settle.quota_change = 'revised';
    UPDATE settle.municipal_quota SET quota = quota + 1 WHERE year = 2027 AND municipality = '1080';
    UPDATE settle.municipal_quota SET quota = quota - 1 WHERE year = 2027 AND municipality = '1081';
    COMMIT;" >/dev/null
check "F5 plain UPDATEs under forged settings are logged as plain changes" \
    "$(su "SELECT count(*) FILTER (WHERE kind = 'revision' OR payload::text LIKE '%FORGED%') || '/' || count(*) FROM settle.decision_log
            WHERE subject IN ('1080', '1081') AND kind IN ('revision', 'municipal_quota') AND payload ->> 'op' = 'update'
              AND payload ->> 'quota' <> payload ->> 'old_quota'")" "0/2"
check "F5 ... and the history calls them changed, not revised" \
    "$(su "SELECT string_agg(change, ',' ORDER BY municipality) FROM (SELECT DISTINCT ON (municipality) municipality, change
            FROM settle.quota_history WHERE year = 2027 AND municipality IN ('1080', '1081') ORDER BY municipality, id DESC) h")" "changed,changed"
check "F5 a county board cannot record a revision of another county" \
    "$(as atk_board_k "INSERT INTO settle.revision (year, county, agreement_ref, municipalities, deltas) VALUES (2027, '01', 'x', '{0180,0114}', '{1,-1}')")" "42501"
check "F5 a real revision is logged with its agreement" \
    "$(as atk_board_k "SELECT count(*) FROM settle.revise_quotas(2027, 'AGR-K-1', ARRAY['1080', '1081']::settle.kommunkod[], ARRAY[-1, 1])")|$(su "SELECT count(*) FROM settle.decision_log WHERE kind = 'revision' AND payload -> 'agreement' ->> 'agreement_ref' = 'AGR-K-1'")" "2|2"
check "F5 nobody but settle writes the log, even with the old switch set" \
    "$(as atk_agency "SET settle.log_append = 'on'; INSERT INTO settle.decision_log (kind, payload) VALUES ('x', '{}')")" "42501"

# ---- F6: checkpoints catch a rewritten chain
cp=$(as atk_agency "SELECT settle.seal_log() >= 0; SELECT settle.log_checkpoint()" | tail -1)
su "ALTER TABLE settle.decision_log DISABLE TRIGGER ALL; ALTER TABLE settle.decision_log_head DISABLE TRIGGER ALL;
    UPDATE settle.decision_log SET payload = payload || '{\"forged\": true}' WHERE seq = 10;
    DO \$\$ DECLARE r settle.decision_log; prev bytea := settle.decision_log_genesis(); BEGIN
      FOR r IN SELECT * FROM settle.decision_log WHERE seq IS NOT NULL ORDER BY seq LOOP
        r.prev_hash := prev; r.hash := sha256(prev || settle.decision_log_content(r));
        UPDATE settle.decision_log SET prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id; prev := r.hash;
      END LOOP;
      UPDATE settle.decision_log_head SET hash = prev; END \$\$;
    ALTER TABLE settle.decision_log ENABLE TRIGGER ALL; ALTER TABLE settle.decision_log_head ENABLE TRIGGER ALL;" >/dev/null
check "F6 a rewrite with recomputed hashes passes the plain chain check" "$(as atk_auditor "SELECT intact FROM settle.verify_log()")" "t"
check "F6 ... but not the check against a kept checkpoint" \
    "$(as atk_auditor "SELECT intact || ' ' || first_bad_seq FROM settle.verify_log(ARRAY['$cp']::settle.checkpoint[])")" \
    "false $(echo "$cp" | sed 's/^(\([0-9]*\),.*/\1/')"
su "ALTER TABLE settle.decision_log DISABLE TRIGGER ALL; ALTER TABLE settle.decision_log_head DISABLE TRIGGER ALL;
    DELETE FROM settle.decision_log WHERE seq >= 5; UPDATE settle.decision_log_head SET seq = 4, hash = (SELECT hash FROM settle.decision_log WHERE seq = 4);
    ALTER TABLE settle.decision_log ENABLE TRIGGER ALL; ALTER TABLE settle.decision_log_head ENABLE TRIGGER ALL;" >/dev/null
check "F6 a cut tail with a moved head is caught by the checkpoint" \
    "$(as atk_auditor "SELECT intact || ' ' || (problem LIKE '%beyond the chain%') FROM settle.verify_log(ARRAY['$cp']::settle.checkpoint[])")" "false true"

# ---- F7b (0.3.0): the map's drawing data is read-only for every login but the owner
check "F7b no settle role redraws a municipality or deletes a county border" \
    "$(as atk_agency "UPDATE settle.municipality_outline SET path = 'M0 0l1 0 0 1z' WHERE municipality = '0180'")|$(as atk_analyst "DELETE FROM settle.county_border")" "42501|42501"

# ---- F7c (0.3.0): a chart shows a county board nothing of another county
check "F7c a county board's plan chart of another county shows no kommuntal and no referral" \
    "$(as atk_board_k "SELECT (regexp_match(settle.plan_chart_svg(2027, '01', as_of => '2027-06-30'), 'kommuntal in force ([0-9]+)'))[1] || ' ' || (regexp_match(settle.plan_chart_svg(2027, '01', as_of => '2027-06-30'), 'referred \\(([0-9]+)\\)'))[1]")" "0 0"

# ---- F7d (0.3.0): the household-level chart stays with the roles that see every household
check "F7d a county board and a municipality cannot draw the waiting chart (household-level)" \
    "$(as atk_board_k "SELECT settle.waiting_chart_svg('2027-06-30')")|$(as atk_kommun_1081 "SELECT settle.waiting_chart_svg('2027-06-30')")" "42501|42501"

# ---- F7e (0.3.0): a county board's page of another county shows none of its figures
# (the outlines and names are public reference data; every value is hidden)
check "F7e a county board's report page of another county has no municipality row and no value on its map" \
    "$(as atk_board_k "SELECT (SELECT count(*) FROM regexp_matches(settle.county_report_html(2027, 1, '01'), '<tr class=\"municipality\">', 'g')) || ' ' || (SELECT count(*) FROM regexp_matches(settle.county_report_html(2027, 1, '01'), '<path d=\"M[^\"]*\" fill=\"#bbbbbb\"><title>[^<]*: no value, kommuntal none</title>', 'g')) || ' ' || (SELECT count(*) FROM regexp_matches(settle.county_report_html(2027, 1, '01'), '<path d=\"M[^\"]*\" fill=', 'g'))")" "0 26 26"

# ---- F8: C loops end soon after statement_timeout
t0=$(date +%s%N)
out=$(as atk_analyst "SET statement_timeout = '200ms'; SELECT count(*) FROM settle.apportion(2147483647, ARRAY['a','b'], ARRAY[1,1e22], 'dhondt', max_seats => ARRAY[NULL,0])")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "F8 apportion with extreme weights returns or is cancelled within 2 s (took ${ms} ms)" \
    "$( { [ "$out" = "2" ] || [ "$out" = "57014" ]; } && [ $ms -lt 2000 ] && echo yes)" "yes"
t0=$(date +%s%N)
out=$(as atk_analyst "SET statement_timeout = '200ms'; SELECT cardinality(seats) FROM settle.apportion_seats(2147483647, ARRAY[1,1e22], 'dhondt', max_seats => ARRAY[NULL,0])")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "F8 apportion_seats with extreme weights returns or is cancelled within 2 s (took ${ms} ms)" \
    "$( { [ "$out" = "2" ] || [ "$out" = "57014" ]; } && [ $ms -lt 2000 ] && echo yes)" "yes"
check "F8 apportion_seats refuses more units than it handles, before any work" \
    "$(as atk_analyst "SELECT cardinality(seats) FROM settle.apportion_seats(1, array_fill(1::numeric, ARRAY[1048577]))")" "54000"
su "CREATE TABLE public.big AS SELECT array_fill(1, ARRAY[2000000]) AS persons, array_fill(0, ARRAY[2000000]) AS residence,
       array_fill(1::bigint, ARRAY[2000000]) AS needs, array_fill(-1, ARRAY[2000000]) AS fixed,
       array_fill(2000000, ARRAY[2000]) AS cap, array_fill(2000000, ARRAY[2000]) AS planned,
       array_fill(0::bigint, ARRAY[2000]) AS able, array_fill(false, ARRAY[2000]) AS paused,
       array_fill(1.0::float8, ARRAY[4000000]) AS cost;
    GRANT SELECT ON public.big TO atk_analyst;" >/dev/null
t0=$(date +%s%N)
out=$(as atk_analyst "SET statement_timeout = '1500ms'; SELECT count(*) FROM public.big b,
        settle.match_core(b.persons, b.residence, b.needs, b.fixed, b.cap, b.planned, b.able, b.paused, b.cost, 'chronological', 10000)")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "F8 chronological matching of 2,000,000 x 2,000 is cancelled by statement_timeout within 1 s of it (took ${ms} ms)" \
    "$out $( [ $ms -lt 2500 ] && echo soon)" "57014 soon"
su "DROP TABLE public.big" >/dev/null

# ---- F9: an idle writer cannot hold back the seal
as atk_kommun_1081 "BEGIN; SELECT settle.pause(2027, '1081', make_date(2027, 11, d), make_date(2027, 11, d), 'day') FROM generate_series(1, 17) d;
                    SELECT pg_sleep(6); COMMIT;" >/dev/null 2>&1 &
idle=$!
sleep 1
check "F9 while a municipality idles with 17 unsealed entries, the agency seals the rest at once" \
    "$(as atk_agency "SET lock_timeout = '2s'; SELECT settle.refer(settle.register_household('F9-' || i, 'abo', 1, '1083', '2026-10-01'), '1083', '2027-02-02 10:00+01') > 0 FROM generate_series(1, 5) i LIMIT 1; SELECT settle.seal_log() > 0; SELECT unsealed FROM settle.verify_log()" | tr '\n' ' ')" "t t 0"
wait $idle

# ---- F10: overlapping pauses cannot both commit, whatever the isolation
psql -X -q -U atk_agency -d $db -c "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT settle.pause(2027, '1083', '2027-09-01', '2027-09-10', 'a'); SELECT pg_sleep(2); COMMIT;" >/dev/null 2>&1 &
first=$!
sleep 0.5
check "F10 a second overlapping pause under REPEATABLE READ is refused" \
    "$(as atk_agency "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT settle.pause(2027, '1083', '2027-09-05', '2027-09-20', 'b'); COMMIT;")" "23P01"
wait $first
check "F10 ... and one pause stands" "$(su "SELECT count(*) FROM settle.pause WHERE municipality = '1083' AND from_date >= '2027-09-01'")" "1"

# ---- F11: the role table is what the grants do
check "F11 the agency seals the log" "$(as atk_agency "SELECT settle.seal_log() >= 0")" "t"
check "F11 an analyst runs the audit (without case numbers)" \
    "$(as atk_analyst "SELECT count(*) >= 0 FROM settle.audit(2027)")|$(as atk_analyst "SELECT ref FROM settle.household LIMIT 1")" "t|42501"
printf 'F11-csv-1\tabo\t2\t1083\t2026-10-02\n' > "$tmp/households.tsv"
check "F11 the agency bulk-loads households with COPY" \
    "$(psql -X -q -A -t -U atk_agency -d $db -c "\\copy settle.household (ref, category, persons, residence, permit_date) FROM '$tmp/households.tsv'" 2>&1; as atk_agency "SELECT count(*) FROM settle.household WHERE ref = 'F11-csv-1'")" "1"
printf '%s\t1083\t2027-02-03 10:00+01\n' "$(hh F11-csv-1)" > "$tmp/referrals.tsv"
check "F11 ... and referrals through a staging table (COPY itself is refused under row-level security)" \
    "$(psql -X -q -A -t -U atk_agency -d $db -c "CREATE TEMP TABLE r (household bigint, municipality settle.kommunkod, decided_at timestamptz)" \
            -c "\\copy r FROM '$tmp/referrals.tsv'" \
            -c "INSERT INTO settle.referral (household, municipality, decided_at) SELECT * FROM r RETURNING persons" 2>&1)|$(psql -X -q -U atk_agency -d $db -c "\\copy settle.referral (household, municipality, decided_at) FROM '$tmp/referrals.tsv'" 2>&1 | grep -c 'COPY FROM not supported with row-level security')" "2|1"

# ---- F12: errors reveal nothing outside the caller's scope
msg=$(as_msg atk_kommun_1081 "SELECT settle.pause(2027, '1082', '2027-06-10', '2027-06-12', 'probe')")
check "F12 a pause asked for another municipality is refused without its dates" \
    "$(printf '%s' "$msg" | grep -c 'row-level security')|$(printf '%s' "$msg" | grep -c '2027-06-01\|2027-06-30')" "1|0"

# ---- F13: case numbers are compared normalised
check "F13 NFC, NFD, spaces, case and a zero-width space are one household" \
    "$(as atk_agency "SELECT count(DISTINCT settle.register_household(r, 'abo', 1, '1083', '2026-10-01'))
        FROM unnest(ARRAY[normalize('MIG-Ö-1', NFC), normalize('MIG-Ö-1', NFD), ' MIG-Ö-1', 'mig-ö-1', 'MIG-Ö-1' || U&'\\200B']) r")" "1"
check "F13 ... stored as first given" "$(su "SELECT ref = normalize('MIG-Ö-1', NFC) FROM settle.household WHERE settle.case_key(ref) = 'MIG-Ö-1'")" "t"

# ---- F14: batches that lock their quota rows first do not deadlock
f14=$(as atk_agency "SELECT settle.register_household('F14-a', 'abo', 1, '1060', '2026-10-01') || ' ' || settle.register_household('F14-b', 'abo', 1, '1080', '2026-10-01')
                    || ' ' || settle.register_household('F14-c', 'abo', 1, '1060', '2026-10-01') || ' ' || settle.register_household('F14-d', 'abo', 1, '1080', '2026-10-01')")
read -r ha hb hc hd <<<"$f14"
psql -X -q -U atk_agency -d $db -c "BEGIN; SELECT settle.lock_quotas(2027, '{1060,1080}'); SELECT settle.refer(${ha:-0}, '1060', '2027-02-05 10:00+01');
    SELECT pg_sleep(1); SELECT settle.refer(${hb:-0}, '1080', '2027-02-05 10:00+01'); COMMIT;" >"$tmp/f14a" 2>&1 &
first=$!
sleep 0.3
check "F14 two batches in opposite orders, each calling lock_quotas first, both commit" \
    "$(as atk_agency "BEGIN; SELECT settle.lock_quotas(2027, '{1080,1060}'); SELECT settle.refer(${hd:-0}, '1080', '2027-02-05 10:00+01') > 0;
                      SELECT settle.refer(${hc:-0}, '1060', '2027-02-05 10:00+01') > 0; COMMIT;" | tr '\n' ' ')|$(wait $first; grep -c ERROR "$tmp/f14a")" "2 t t|0"

# ---- F15: smaller bad input gets precise errors
h1=$(hh A-1081)
check "F15 pause with to_date NULL: 22004" "$(as atk_agency "SELECT settle.pause(2027, '1083', '2027-10-01', NULL, 'x')")" "22004"
check "F15 pause with year NULL: 22004" "$(as atk_agency "SELECT settle.pause(NULL, '1083', '2027-10-01', '2027-10-02', 'x')")" "22004"
check "F15 candidates as of NULL: 22004" "$(as atk_agency "SELECT count(*) FROM settle.candidates($h1, NULL)")" "22004"
check "F15 candidates as of infinity: 22023" "$(as atk_agency "SELECT count(*) FROM settle.candidates($h1, 'infinity')")" "22023"
check "F15 a 2-D spread_plan profile: 2202E, says one-dimensional" \
    "$(as atk_agency "SELECT count(*) FROM settle.spread_plan(2027, '10', array_fill(1::numeric, ARRAY[3, 4]))")|$(as_msg atk_agency "SELECT count(*) FROM settle.spread_plan(2027, '10', array_fill(1::numeric, ARRAY[3, 4]))" | grep -c 'one-dimensional')" "2202E|1"
check "F15 a 6.4 KB case number: 22001" "$(as atk_agency "SELECT settle.register_household(repeat('x', 6400), 'abo', 1, '1083', '2026-10-01')")" "22001"
check "F15 settle.today = infinity: 22023 from waiting()" "$(as atk_agency "SET settle.today = 'infinity'; SELECT count(*) FROM settle.waiting()")" "22023"

# ---- F18 (0.2.0, quota streams): nothing moves places or persons between streams
su "SET settle.today = '2027-03-02';
    INSERT INTO settle.year_stream (year, stream, national_volume, decision_ref) VALUES (2027, 'temporary_protection', 100, 'F18');
    SELECT count(*) FROM settle.decide_distribution_numbers(2027, 'F18');" >/dev/null
check "F18 a county board cannot move a kommuntal into another stream" \
    "$(as atk_board_k "UPDATE settle.municipal_quota SET stream = 'temporary_protection' WHERE stream = 'ordinary' AND municipality = '1083'")" "42501"
check "F18 the agency cannot count a referral in another stream than its household's, by INSERT or UPDATE" \
    "$(as atk_agency "INSERT INTO settle.referral (household, municipality, decided_at, stream) VALUES (settle.register_household('F18-a', 'abo', 1, '0180', '2026-10-01'), '0180', '2027-03-03 10:00+01', 'temporary_protection')")|$(as atk_agency "UPDATE settle.referral SET stream = 'temporary_protection' WHERE municipality = '1081'")" \
    "23514|23514"
check "F18 the agency writes no ordinary kommuntal (the county boards' decision)" \
    "$(as atk_agency "INSERT INTO settle.municipal_quota (year, stream, municipality, quota, decision_ref) VALUES (2027, 'ordinary', '2584', 1, 'x')")|$(as atk_agency "WITH u AS (UPDATE settle.municipal_quota SET quota = quota + 1 WHERE stream = 'ordinary' RETURNING 1) SELECT count(*) FROM u")" \
    "42501|0"
check "F18 lookalike temp objects do not change a stream's volume or a household's stream" \
    "$(as atk_agency "SET settle.today = '2027-03-04';
        CREATE TEMP TABLE year_streams (year int, stream text, national_volume int, method text, first_divisor numeric, decision_ref text, note text);
        INSERT INTO year_streams VALUES (2027, 'temporary_protection', 999999, 'hamilton', NULL, 'x', NULL);
        CREATE FUNCTION pg_temp.household_stream(text, text, integer) RETURNS text LANGUAGE sql AS 'SELECT ''temporary_protection''';
        SELECT sum(quota) FROM settle.decide_distribution_numbers(2027, 'F18-b');
        SELECT settle.refer(settle.register_household('F18-c', 'abo', 1, '0180', '2026-10-01'), '0180', '2027-03-04 10:00+01');
        SELECT (SELECT sum(quota) FROM settle.municipal_quota WHERE stream = 'temporary_protection') || ' ' || stream FROM settle.referral WHERE id = (SELECT max(id) FROM settle.referral)" | tail -1)" \
    "100 ordinary"
check "F18 the audit catches a referral written around the trigger into another stream" \
    "$(su "SELECT settle.register_household('F18-d', 'temporary_protection', 1, '0180', '2026-10-01', '{}', NULL, NULL, 'ordinary');
           ALTER TABLE settle.referral DISABLE TRIGGER referral_write;
           INSERT INTO settle.referral (household, year, municipality, persons, decided_at, deadline, stream)
           SELECT id, 2027, '0180', 1, '2027-03-05 10:00+01', '2027-05-05', 'temporary_protection' FROM settle.household WHERE ref = 'F18-d';
           ALTER TABLE settle.referral ENABLE TRIGGER referral_write;
           SELECT string_agg(DISTINCT rule || '/' || stream, ',' ORDER BY rule || '/' || stream) FROM settle.audit(2027, '{temporary_protection}')
            WHERE rule IN ('referral_as_issued', 'referred_count_matches_referrals')" | tail -1)" \
    "referral_as_issued/temporary_protection,referred_count_matches_referrals/temporary_protection"

# ---- F19 (0.3.0, reduced intake): the monthly limit holds on every path and under concurrency
su "SELECT settle.pause(2027, '0114', '2027-10-01', '2027-10-31', 'few dwellings', 3)" >/dev/null
check "F19 a plain INSERT past a reduced intake is refused" \
    "$(as atk_agency "INSERT INTO settle.referral (household, municipality, decided_at) VALUES (settle.register_household('F19-a', 'abo', 4, '0114', '2026-10-01'), '0114', '2027-10-05 10:00+02')")" "23514"
check "F19 a referral under a reduced intake in REPEATABLE READ is refused (it could not see a concurrent one)" \
    "$(as atk_agency "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT settle.refer(settle.register_household('F19-b', 'abo', 1, '0114', '2026-10-01'), '0114', '2027-10-05 10:00+02'); COMMIT;")" "25000"
psql -X -q -U atk_agency -d $db -c "BEGIN; SELECT settle.refer(settle.register_household('F19-c', 'abo', 2, '0114', '2026-10-01'), '0114', '2027-10-06 10:00+02'); SELECT pg_sleep(2); COMMIT;" >/dev/null 2>&1 &
first=$!
sleep 0.5
check "F19 two concurrent referrals cannot together pass the limit (2 + 2 > 3)" \
    "$(as atk_agency "SELECT settle.refer(settle.register_household('F19-d', 'abo', 2, '0114', '2026-10-01'), '0114', '2027-10-06 10:00+02')")" "23514"
wait $first
check "F19 ... the first stands: 1 person left in October" "$(su "SELECT settle.intake_left('0114', '2027-10-20')")" "1"

# ---- F20 (0.3.0): a change of the national volume is not made unseen
check "F20 a change of a year's volume or method is logged with the old and the new row" \
    "$(as atk_agency "UPDATE settle.planning_year SET note = 'quietly' WHERE year = 2027; SELECT (payload -> 'old' ->> 'note') IS NULL AND payload -> 'new' ->> 'note' = 'quietly' FROM settle.decision_log WHERE kind = 'planning_year' AND payload ->> 'op' = 'update'" | tail -1)" "t"

# ---- F21 (0.3.0, counted places): a capability's count holds on every path and under concurrency
su "INSERT INTO settle.capability (year, municipality, need, places) VALUES (2027, '0115', 'large_dwelling', 3)" >/dev/null
check "F21 a plain INSERT past a need's counted places is refused" \
    "$(as atk_agency "INSERT INTO settle.referral (household, municipality, decided_at) VALUES (settle.register_household('F21-a', 'abo', 4, '0115', '2026-10-01', '{large_dwelling}'), '0115', '2027-10-05 10:00+02')")" "23514"
psql -X -q -U atk_agency -d $db -c "BEGIN; SELECT settle.refer(settle.register_household('F21-b', 'abo', 2, '0115', '2026-10-01', '{large_dwelling}'), '0115', '2027-10-06 10:00+02'); SELECT pg_sleep(2); COMMIT;" >/dev/null 2>&1 &
first=$!
sleep 0.5
check "F21 two concurrent referrals cannot together pass the count (2 + 2 > 3)" \
    "$(as atk_agency "SELECT settle.refer(settle.register_household('F21-c', 'abo', 2, '0115', '2026-10-01', '{large_dwelling}'), '0115', '2027-10-06 10:00+02')")" "23514"
wait $first
check "F21 the count cannot be lowered below the persons referred with the need, and a change is logged" \
    "$(as atk_agency "UPDATE settle.capability SET places = 1 WHERE municipality = '0115'")|$(as atk_agency "UPDATE settle.capability SET places = 2 WHERE municipality = '0115'; SELECT payload #>> '{new,places}' FROM settle.decision_log WHERE kind = 'capability' AND payload ->> 'op' = 'update'" | tail -1)" \
    "23514|2"

# ---- F22 (0.3.0, the model with evidence): no temporary lookalike feeds the model, no board edits another's model
check "F22 a temporary lookalike of settle.factor_values does not feed model_input_from" \
    "$(as atk_agency "CREATE TEMP TABLE factor_values (series text, year int, municipality text, value numeric);
        INSERT INTO factor_values VALUES ('population', 2019, '0180', 1);
        CREATE FUNCTION pg_temp.require_transform(text) RETURNS text LANGUAGE sql AS 'SELECT ''rank''';
        SELECT municipalities FROM settle.model_input_from(2027, 'f22', 'population', 2019);
        SELECT value FROM settle.model_input WHERE year = 2027 AND factor = 'f22' AND municipality = '0180'" | tr '\n' ' ')" \
    "290 $(su "SELECT population FROM settle.population WHERE municipality = '0180' AND year = 2019")"
check "F22 a county board cannot write or change another county's regional model" \
    "$(as atk_board_k "INSERT INTO settle.regional_weight (year, county, factor, weight) VALUES (2027, '01', 'population', 1)")|$(su "INSERT INTO settle.regional_weight VALUES (2027, '01', 'population', 1, 'stockholm''s own')"; as atk_board_k "WITH u AS (UPDATE settle.regional_weight SET weight = 0 RETURNING 1) SELECT count(*) FROM u")" \
    "42501|0"

# ---- and after all of it
check "no login became superuser" "$(super_count)" "0"
exit $failed

-- Quota accounting: model, proposals, decisions, the rules (whatever the
-- write path), revisions, history, the decision log, the annual plan,
-- pauses, status, audit of seeded violations, and roles.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SET LOCAL settle.today = '2027-01-10';
SELECT plan(81);

\i test/lib/at_commit.sql

-- a year: 1,000 persons, a model of population (0.8) and density (-0.1)
INSERT INTO planning_year (year, national_volume) VALUES (2027, 1000);
INSERT INTO model_weight (year, factor, weight) VALUES (2027, 'population', 0.8), (2027, 'density', -0.1);
INSERT INTO model_input SELECT 2027, code, 'population', population FROM municipality;
INSERT INTO model_input SELECT 2027, code, 'density', round(population / area_km2, 1) FROM municipality WHERE area_km2 IS NOT NULL;

-- the model
SELECT is((SELECT count(*)::int FROM model_shares(2027)), 290, 'model_shares: one row per municipality');
SELECT ok((SELECT abs(sum(share) - 1) < 1e-12 FROM model_shares(2027)), 'shares sum to 1');
SELECT is((SELECT count(*)::int FROM model_shares(2027) WHERE share < 0), 0, 'no share is negative');
SELECT ok((SELECT count(*) FROM model_shares(2027) WHERE score < 0 AND share = 0) > 0,
          'the negative density weight pushes some scores below 0; their share is 0');
SELECT is((SELECT count(*)::int FROM model_shares(2027) s
            WHERE abs(s.score - (SELECT sum(v::numeric) FROM jsonb_each_text(s.contributions - 'share_of_positive_scores') AS c(k, v))) > 1e-12),
          0, 'each score is the sum of the factor contributions shown');
SELECT throws_ok($$SELECT * FROM model_shares(2031)$$, 'P0002', 'planning year 2031 does not exist', 'unknown year: P0002');

-- proposals
SELECT is((SELECT sum(quota)::int FROM propose_county_quotas(2027)), 1000, 'proposed county quotas sum to the national volume');
SELECT is((SELECT count(*)::int FROM propose_county_quotas(2027)), 21, '... over 21 counties');
SELECT is((SELECT count(*)::int FROM county_quota), 0, 'proposing writes nothing');
SELECT throws_ok($$SELECT * FROM propose_municipal_quotas(2027, '10')$$, 'P0002', NULL,
                 'municipal proposals need a decided county quota');

-- decisions
SELECT is((SELECT sum(quota)::int FROM decide_county_quotas(2027, 'Ju-1')), 1000, 'decide_county_quotas records the proposal');
SELECT is((SELECT array_agg(quota ORDER BY county) FROM county_quota WHERE year = 2027),
          (SELECT array_agg(quota ORDER BY county) FROM propose_county_quotas(2027)), '... exactly');
SELECT is((SELECT sum(quota)::int FROM decide_municipal_quotas(2027, '10', 'Lst-K-1')),
          (SELECT quota FROM county_quota WHERE year = 2027 AND county = '10'), 'Blekinge''s kommuntal sum to its länstal');
SELECT lives_ok($$SELECT pg_temp.at_commit('SELECT 1')$$, 'the sums hold at commit');
SELECT is((SELECT count(*)::int FROM decide_municipal_quotas(2027, '09', 'Lst-I-1')), 1, 'Gotland''s county has one municipality');

-- the sum rules, at commit, whatever the path
SELECT throws_ok($$SELECT pg_temp.at_commit('UPDATE settle.county_quota SET quota = quota + 1 WHERE year = 2027 AND county = ''01''')$$,
                 '23514', 'county quotas (länstal) of 2027 sum to 1001, not the national volume 1000', 'county sum: plain UPDATE refused at commit');
SELECT throws_ok($$SELECT pg_temp.at_commit('DELETE FROM settle.county_quota WHERE year = 2027 AND county = ''01''')$$,
                 '23514', NULL, 'county sum: DELETE refused at commit');
SELECT throws_ok($$SELECT pg_temp.at_commit('UPDATE settle.planning_year SET national_volume = 999 WHERE year = 2027')$$,
                 '23514', NULL, 'changing the national volume alone breaks the county sum');
SELECT lives_ok($$SELECT pg_temp.at_commit('UPDATE settle.planning_year SET national_volume = 1001 WHERE year = 2027;
                                             UPDATE settle.county_quota SET quota = quota + 1 WHERE year = 2027 AND county = ''01''')$$,
                'volume and county quota changed together: accepted');
SELECT throws_ok($$SELECT pg_temp.at_commit('UPDATE settle.municipal_quota SET quota = quota + 1, decision_ref = ''x'' WHERE year = 2027 AND municipality = ''1080''')$$,
                 '23514', NULL, 'municipal sum: a plain UPDATE of one kommuntal is refused at commit');
SELECT throws_like($$SELECT pg_temp.at_commit('COPY settle.municipal_quota (year, municipality, county, quota, decision_ref) FROM PROGRAM ''echo 2027,0380,03,5,copy'' WITH (FORMAT csv)')$$,
                   '%sum to 5, not its county quota%', 'municipal sum: COPY of a stray kommuntal is refused at commit');

-- households and referrals for the rules below
CREATE TEMP TABLE ids (name text PRIMARY KEY, id bigint);
CREATE FUNCTION pg_temp.id(n text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM ids WHERE name = n $$;
INSERT INTO ids VALUES ('h1', register_household('H-1', 'abo', 4, '1080', '2026-10-01')),
                       ('h2', register_household('H-2', 'abo', 3, '1081', '2026-10-02')),
                       ('h3', register_household('H-3', 'other', 2, '1080', '2026-10-03'));
INSERT INTO ids VALUES ('r1', refer(pg_temp.id('h1'), '1080', '2027-01-05 10:00+01', 'A-1'));
INSERT INTO ids VALUES ('r2', refer(pg_temp.id('h2'), '1080', '2027-01-05 11:00+01', 'A-2'));

-- quota never below referred
SELECT is((SELECT referred FROM municipal_quota WHERE year = 2027 AND municipality = '1080'), 7, 'referred counts the persons of active referrals');
SELECT throws_ok($$UPDATE municipal_quota SET quota = 6 WHERE year = 2027 AND municipality = '1080'$$,
                 '23514', 'the kommuntal of 1080 Karlskrona for 2027 cannot be 6 (below the 7 persons already referred)',
                 'a plain UPDATE below referred is refused, naming municipality and year');
SELECT throws_ok($$UPDATE municipal_quota SET referred = 0 WHERE year = 2027 AND municipality = '1080'$$,
                 '23514', 'municipal_quota.referred is maintained by settle and cannot be written', 'referred cannot be written');
SELECT throws_ok($$DELETE FROM municipal_quota WHERE year = 2027 AND municipality = '1080'$$,
                 '23503', NULL, 'a quota with referrals cannot be deleted');
SELECT throws_ok($$SELECT pg_temp.at_commit('UPDATE settle.municipal_quota SET quota = 1, decision_ref = ''tight'' WHERE year = 2027 AND municipality = ''1083'';
                                             SELECT settle.refer(pg_temp.id(''h3''), ''1083'', ''2027-01-06 10:00+01'')')$$, '23514',
                 'the kommuntal of 1083 Sölvesborg for 2027 is full: 1 places left, the household has 2 persons',
                 'a referral beyond the quota is refused, naming places left and persons asked');
SELECT throws_ok(format($$INSERT INTO referral (household, year, municipality, persons, decided_at, deadline)
                          VALUES (%s, 2027, '1080', %s, '2027-01-07 10:00+01', '2027-03-07')$$,
                        pg_temp.id('h3'), (SELECT quota - referred + 1 FROM municipal_quota WHERE year = 2027 AND municipality = '1080')),
                 '23514', NULL, 'a plain INSERT of a referral beyond the remaining places is refused');
SELECT throws_ok($$SELECT refer(pg_temp.id('h1'), '1081', '2027-01-08 10:00+01')$$, '23505', NULL, 'a household has one active referral');
SELECT is((SELECT status FROM withdraw(pg_temp.id('r2'), 'found housing')), 'withdrawn', 'withdraw');
SELECT is((SELECT referred FROM municipal_quota WHERE year = 2027 AND municipality = '1080'), 4, 'a withdrawal frees its places');

-- referrals are never deleted, decisions never rewritten
SELECT throws_ok($$DELETE FROM referral WHERE id = pg_temp.id('r1')$$, '23001', NULL, 'referrals are never deleted');
SELECT throws_ok($$UPDATE referral SET persons = 1 WHERE id = pg_temp.id('r1')$$, '23514', NULL, 'a referral''s decision cannot be changed');

-- revisions
-- the revision is dated 2027-01-20; the decisions took effect on settle.today, 2027-01-10
CREATE TEMP TABLE moment AS SELECT settle.local_instant('2027-01-15 12:00') AS before_revision;
SELECT is((SELECT array_agg(new_quota - old_quota ORDER BY municipality)
             FROM revise_quotas(2027, 'AGR-1', ARRAY['1080', '1081']::kommunkod[], ARRAY[2, -2], '2027-01-20')),
          ARRAY[2, -2], 'revise_quotas moves places between two municipalities of a county');
SELECT lives_ok($$SELECT pg_temp.at_commit('SELECT 1')$$, '... and the county sum still holds');
SELECT throws_ok($$SELECT * FROM revise_quotas(2027, 'AGR-2', ARRAY['1080', '0980']::kommunkod[], ARRAY[1, -1])$$,
                 '23514', 'a revision cannot span counties: the municipalities are in 09, 10', 'across counties: refused');
SELECT throws_ok($$SELECT * FROM revise_quotas(2027, 'AGR-3', ARRAY['1080', '1081']::kommunkod[], ARRAY[1, 1])$$,
                 '23514', 'the deltas of a revision must sum to 0, not 2', 'changing the länstal: refused');
SELECT throws_like($$SELECT * FROM revise_quotas(2027, 'AGR-4', ARRAY['1080', '1081']::kommunkod[],
                     ARRAY[-(SELECT quota - 3 FROM municipal_quota WHERE year = 2027 AND municipality = '1080'),
                           (SELECT quota - 3 FROM municipal_quota WHERE year = 2027 AND municipality = '1080')])$$,
                   '%would be 3 (below the 4 persons already referred)', 'below referred: refused');
SELECT throws_ok($$SELECT * FROM revise_quotas(2027, 'AGR-5', ARRAY['1080', '1080']::kommunkod[], ARRAY[1, -1])$$,
                 '22023', NULL, 'the same municipality twice: refused');
SELECT throws_ok($$SELECT * FROM revise_quotas(2027, 'AGR-6', ARRAY['1080', '1081']::kommunkod[], ARRAY[1])$$,
                 '2202E', NULL, 'arrays of different lengths: refused');
SELECT throws_ok($$SELECT * FROM revise_quotas(2027, NULL, ARRAY['1080', '1081']::kommunkod[], ARRAY[1, -1])$$,
                 '22004', NULL, 'no agreement reference: refused');

-- history and as-of
SELECT is((SELECT array_agg(quota ORDER BY municipality) FROM quota_as_of(2027, (SELECT before_revision FROM moment))
            WHERE municipality IN ('1080', '1081')),
          (SELECT array_agg(quota + CASE municipality WHEN '1080' THEN -2 ELSE 2 END ORDER BY municipality)
             FROM municipal_quota WHERE year = 2027 AND municipality IN ('1080', '1081')),
          'quota_as_of shows the quotas in force before the revision');
SELECT is((SELECT count(*)::int FROM quota_as_of(2027, settle.local_instant('2027-01-09 23:59'))), 0, 'nothing was in force before the decisions took effect');
SELECT is((SELECT array_agg(change ORDER BY id) FROM quota_history WHERE year = 2027 AND municipality = '1080'),
          ARRAY['decided', 'revised'], 'history keeps every value with how it came');
SELECT throws_ok($$UPDATE quota_history SET quota = 0$$, '23001', NULL, 'history rows cannot be updated');
SELECT throws_ok($$DELETE FROM quota_history$$, '23001', NULL, 'history rows cannot be deleted');

-- the decision log
SELECT is((SELECT count(*)::int FROM decision_log WHERE kind = 'revision'), 2, 'each revised quota is logged with the agreement');
SELECT is((SELECT payload -> 'agreement' ->> 'agreement_ref' FROM decision_log WHERE kind = 'revision' LIMIT 1), 'AGR-1', '... its reference');
CREATE TEMP TABLE pending AS SELECT count(*) AS n FROM decision_log WHERE hash IS NULL;
SELECT is((SELECT n FROM pending), (SELECT count(*) FROM decision_log), 'writers never seal: every entry waits for seal_log()');
SELECT is(seal_log(), (SELECT n FROM pending), 'seal_log() seals exactly the entries left');
SELECT is((SELECT unsealed FROM verify_log()), 0::bigint, '... after which none is unsealed');
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT intact FROM verify_log()), true, 'sealed, the chain verifies');
SELECT throws_ok($$UPDATE decision_log SET actor = 'x'$$, '23001', NULL, 'log rows cannot be updated');
SELECT throws_ok($$TRUNCATE decision_log$$, '23001', NULL, 'nor truncated');

-- annual plan
SELECT is((SELECT sum(planned)::int FROM spread_plan(2027, '10', ARRAY[2,2,2,2,2,2,1,1,1,1,1,1]) WHERE municipality = '1080'),
          (SELECT quota FROM municipal_quota WHERE year = 2027 AND municipality = '1080'), 'spread_plan: the months sum to the quota');
SELECT throws_ok($$SELECT * FROM spread_plan(2027, '10', ARRAY[1,2,3])$$, '2202E', NULL, 'a profile needs 12 months');
SELECT throws_ok($$SELECT pg_temp.at_commit('UPDATE settle.annual_plan SET planned = planned + 1 WHERE year = 2027 AND municipality = ''1080'' AND month = 1')$$,
                 '23514', NULL, 'a plan that no longer sums to the quota is refused at commit');
SET LOCAL settle.today = '2027-07-15';
CREATE TEMP TABLE plan_before AS SELECT month, planned FROM annual_plan WHERE year = 2027 AND municipality = '1081';
SELECT is((SELECT count(*)::int FROM revise_quotas(2027, 'AGR-7', ARRAY['1080', '1081']::kommunkod[], ARRAY[-1, 1])), 2,
          'a second revision, in July');
SELECT is((SELECT array_agg(a.planned ORDER BY a.month) FROM annual_plan a WHERE year = 2027 AND municipality = '1081' AND month <= 6),
          (SELECT array_agg(planned ORDER BY month) FROM plan_before WHERE month <= 6), 'after a revision in July the past months stay');
SELECT is((SELECT sum(planned)::int FROM annual_plan WHERE year = 2027 AND municipality = '1081'),
          (SELECT quota FROM municipal_quota WHERE year = 2027 AND municipality = '1081'), '... and the plan still sums to the new quota');

-- pauses
SELECT ok(pause(2027, '1081', '2027-08-01', '2027-08-31', 'no dwellings') > 0, 'a municipality reports a pause');
SELECT throws_ok($$SELECT pause(2027, '1081', '2027-08-15', '2027-09-15', 'again')$$, '23P01', NULL, 'overlapping pauses are refused');
SELECT throws_like($$SELECT refer(pg_temp.id('h3'), '1081', '2027-08-10 10:00+02')$$, '%paused from 2027-08-01 to 2027-08-31', 'no referral during a pause');

-- status
SELECT is((SELECT (quota, referred, received, remaining) FROM quota_status(2027, '2027-02-01') WHERE municipality = '1080')::text,
          (SELECT (quota, 4, 0, quota - 4) FROM quota_as_of(2027, settle.local_instant('2027-02-02')) WHERE municipality = '1080')::text,
          'quota_status: quota, referred, received, remaining');
SELECT is((SELECT quota FROM quota_status(2027, '2027-02-01') WHERE level = 'county' AND county = '10'),
          (SELECT quota FROM county_quota WHERE year = 2027 AND county = '10'), '... per county too');

-- the audit of an intact year
SELECT is((SELECT count(*)::int FROM audit(2027)), 0, 'audit: a clean year has no findings');

-- seeded violations (as superuser, with triggers disabled) are all found
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
ALTER TABLE county_quota DISABLE TRIGGER ALL;
ALTER TABLE municipal_quota DISABLE TRIGGER ALL;
ALTER TABLE annual_plan DISABLE TRIGGER ALL;
ALTER TABLE pause DISABLE TRIGGER ALL;
ALTER TABLE decision_log DISABLE TRIGGER ALL;
UPDATE county_quota SET quota = quota + 3 WHERE year = 2027 AND county = '25';
UPDATE municipal_quota SET quota = quota + 1 WHERE year = 2027 AND municipality = '0980';
ALTER TABLE municipal_quota DROP CONSTRAINT municipal_quota_not_below_referred;
UPDATE municipal_quota SET quota = 1, referred = 2 WHERE year = 2027 AND municipality = '1080';
UPDATE annual_plan SET planned = planned + 5 WHERE year = 2027 AND municipality = '1082' AND month = 3;
ALTER TABLE pause DROP CONSTRAINT pause_no_overlap;
INSERT INTO pause (year, municipality, from_date, to_date, reason) VALUES (2027, '1081', '2027-08-20', '2027-09-01', 'seeded');
ALTER TABLE referral DISABLE TRIGGER ALL;
UPDATE referral SET deadline = '1999-01-01' WHERE id = (SELECT min(id) FROM referral WHERE year = 2027);
UPDATE decision_log SET payload = payload || '{"seeded": true}' WHERE id = (SELECT min(id) FROM decision_log);
SELECT is((SELECT array_agg(DISTINCT rule ORDER BY rule) FROM audit(2027)),
          ARRAY['annual_plan_sums_to_quota', 'county_quotas_sum_to_national_volume', 'decision_log_intact',
                'history_matches_current_quota', 'municipal_quotas_sum_to_county_quota', 'pauses_do_not_overlap',
                'quota_never_below_referred', 'referral_as_issued', 'referred_count_matches_referrals'],
          'audit finds every seeded violation');
SELECT is((SELECT detail FROM audit(2027) WHERE rule = 'county_quotas_sum_to_national_volume'),
          'county quotas sum to 1004 over 21 counties, national volume 1001', '... with the numbers');
SELECT is((SELECT subject FROM audit(2027) WHERE rule = 'referred_count_matches_referrals'), '1080', '... naming the municipality');
SELECT is((SELECT problem FROM verify_log()), format('entry %s (position 1) was altered after it was written', (SELECT min(id) FROM decision_log)),
          'verify_log names the first tampered entry');
SELECT ok((SELECT count(*) FROM audit(2027) WHERE rule = 'quota_never_below_referred') >= 1, 'quota below referred found');
SELECT ok((SELECT count(*) FROM audit(2026)) = 1, 'audit(year) restricts to that year (only the log finding remains)');
SELECT ok((SELECT count(*) FROM audit()) >= 8, 'audit() covers all years');
ALTER TABLE municipal_quota ENABLE TRIGGER ALL;
ALTER TABLE county_quota ENABLE TRIGGER ALL;
ALTER TABLE annual_plan ENABLE TRIGGER ALL;
ALTER TABLE pause ENABLE TRIGGER ALL;
ALTER TABLE decision_log ENABLE TRIGGER ALL;

-- roles and row-level security
CREATE ROLE settle_test_board_k NOLOGIN IN ROLE settle_county_board;
CREATE ROLE settle_test_kommun_1081 NOLOGIN IN ROLE settle_municipality;
CREATE ROLE settle_test_analyst NOLOGIN IN ROLE settle_analyst;
CREATE ROLE settle_test_nobody NOLOGIN;
INSERT INTO role_scope VALUES ('settle_test_board_k', '10', NULL), ('settle_test_kommun_1081', '10', '1081');
GRANT USAGE ON SCHEMA public TO settle_test_board_k, settle_test_kommun_1081, settle_test_analyst, settle_test_nobody;
SET LOCAL ROLE settle_test_board_k;
SELECT is((SELECT count(DISTINCT county)::int FROM municipal_quota), 1, 'a county board sees only its own county''s kommuntal');
SELECT is((SELECT count(*)::int FROM revise_quotas(2027, 'AGR-8', ARRAY['1082', '1083']::kommunkod[], ARRAY[1, -1])), 2,
          'a county board revises its own county''s quotas');
SELECT throws_ok($$SELECT * FROM revise_quotas(2027, 'AGR-9', ARRAY['0980']::kommunkod[], ARRAY[0])$$, 'P0002', NULL,
                 'a county board cannot revise another county''s quotas');
SELECT throws_ok($$UPDATE county_quota SET quota = 0$$, '42501', NULL, 'a county board cannot change county quotas');
SELECT throws_ok($$UPDATE municipal_quota SET referred = 0 WHERE municipality = '1081'$$, '42501', NULL,
                 'nor the referred count of its own municipalities (only settle''s triggers write it)');
RESET ROLE;
SET LOCAL ROLE settle_test_kommun_1081;
SELECT is((SELECT array_agg(municipality::text) FROM municipal_quota), ARRAY['1081'], 'a municipality sees only its own quota');
RESET ROLE;
SET LOCAL ROLE settle_test_analyst;
SELECT throws_ok($$SELECT ref FROM household$$, '42501', NULL, 'an analyst cannot read the case number');
SELECT is((SELECT count(*)::int FROM household), 3, '... but reads the rest of the households');
RESET ROLE;
SET LOCAL ROLE settle_test_nobody;
SELECT throws_ok($$SELECT * FROM settle.county_quota$$, '42501', NULL, 'a role without a settle role reads nothing');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

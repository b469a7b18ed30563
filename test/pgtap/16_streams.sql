-- Quota streams (0.2.0): a year with the ordinary stream and a
-- temporary-protection stream side by side.  Every rule per stream: sums,
-- never below referred, revisions within a stream and county, a referral
-- counted in its household's stream only, distribution numbers decided as a
-- stream; the streams filter of the reports; roles; bad input.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(50);
SET LOCAL settle.today = '2022-06-17';
\i test/lib/at_commit.sql
\i test/lib/hint_of.sql

INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2022, 1000, 'Ju2021/1');
INSERT INTO model_weight VALUES (2022, 'population', 1), (2022, 'present_protected', 0);
INSERT INTO model_input SELECT 2022, code, 'population', population FROM municipality;
-- protected persons already living in Blekinge's municipalities
INSERT INTO model_input VALUES (2022, '1080', 'present_protected', 40), (2022, '1081', 'present_protected', 3);
SELECT count(*) FROM decide_county_quotas(2022, 'Ju2021/2', '2021-12-01');
SELECT count(*) FROM decide_municipal_quotas(2022, '10', 'L-K', '2021-12-15');

-- ---- the vocabulary and a year's streams
SELECT is((SELECT array_agg(code ORDER BY code) FROM stream), ARRAY['ordinary', 'temporary_protection'], 'two streams are shipped');
SELECT is((SELECT array_agg(stream || ':' || national_volume ORDER BY stream) FROM year_streams WHERE year = 2022),
          ARRAY['ordinary:1000'], 'a year has the stream ordinary, its volume planning_year''s');
INSERT INTO year_stream (year, stream, national_volume, decision_ref) VALUES (2022, 'temporary_protection', 2000, 'Ju2022/05');
SELECT is((SELECT array_agg(stream || ':' || national_volume ORDER BY stream) FROM year_streams WHERE year = 2022),
          ARRAY['ordinary:1000', 'temporary_protection:2000'], 'a second stream with its own volume');
SELECT is((SELECT array_agg(kind || ':' || subject || ':' || (payload ->> 'op') || ':' || (payload -> 'new' ->> 'national_volume') ORDER BY id)
             FROM decision_log WHERE kind IN ('planning_year', 'year_stream')),
          ARRAY['planning_year:ordinary:insert:1000', 'year_stream:temporary_protection:insert:2000'],
          'each stream''s volume is a logged decision, the ordinary one''s too');
SELECT throws_ok($$INSERT INTO settle.year_stream (year, stream, national_volume) VALUES (2022, 'ordinary', 5)$$, '23514', NULL,
                 'the ordinary stream''s volume is planning_year''s, not year_stream''s');
SELECT is(pg_temp.hint_of($$INSERT INTO settle.year_stream (year, stream, national_volume) VALUES (2022, 'ordinary', 5)$$),
          'Set its volume and method on settle.planning_year; settle.year_stream holds the other streams.', '... and says where it lives');
SELECT throws_ok($$DELETE FROM settle.stream WHERE code = 'ordinary'$$, '23001', NULL, 'the stream ordinary cannot be removed');
SELECT throws_ok($$SELECT * FROM settle.decide_county_quotas(2022, 'X', '2022-01-01', 'refugees_2015')$$, 'P0002', NULL,
                 'a stream the year lacks is refused');
SELECT is(pg_temp.hint_of($$SELECT * FROM settle.decide_county_quotas(2022, 'X', '2022-01-01', 'refugees_2015')$$),
          'Streams are codes from settle.stream (ordinary, temporary_protection).', '... with the vocabulary as hint');

-- ---- distribution numbers decided as the stream's quotas
SELECT is((SELECT count(*)::int || ' ' || sum(quota) FROM decide_distribution_numbers(2022, 'MV 7.1-2022-11979', '2022-06-17')),
          '290 2000', 'decide_distribution_numbers: a number per municipality, summing to the stream''s volume');
SELECT is((SELECT array_agg(quota ORDER BY municipality) FROM municipal_quota WHERE year = 2022 AND stream = 'temporary_protection'),
          (SELECT array_agg(to_receive ORDER BY municipality) FROM distribution_numbers(2022, 2000)),
          '... exactly distribution_numbers(year, volume), persons present as prior');
SELECT is((SELECT count(*)::int FROM county_quota cq
            WHERE cq.stream = 'temporary_protection'
              AND cq.quota = (SELECT sum(mq.quota) FROM municipal_quota mq WHERE mq.stream = cq.stream AND mq.county = cq.county)), 21,
          '... and each county''s länstal is the sum of its municipalities''');
SELECT is((SELECT sum(quota)::int FROM county_quota WHERE stream = 'ordinary'), 1000, 'the ordinary länstal are untouched');
SELECT is((SELECT quota || ' ' || (40 > 2043 * (SELECT share FROM model_shares(2022) WHERE municipality = '1080'))
             FROM municipal_quota WHERE stream = 'temporary_protection' AND municipality = '1080'), '0 true',
          'a municipality already hosting more than its share of all 2,043 (1080: 40 present) receives none');
SELECT throws_ok($$SELECT * FROM settle.decide_distribution_numbers(2022, 'X', '2022-06-17', 'ordinary')$$, '22023', NULL,
                 'the ordinary stream is not decided by distribution numbers');
SELECT is((SELECT count(*)::int FROM decision_log WHERE kind = 'municipal_quota' AND payload ->> 'stream' = 'temporary_protection'), 290,
          'each decided number is logged with its stream');

-- ---- sums per stream, at commit
SELECT throws_ok($$SELECT pg_temp.at_commit('UPDATE settle.county_quota SET quota = quota + 1 WHERE stream = ''temporary_protection'' AND county = ''10''')$$,
                 '23514', 'county quotas (länstal) of 2022 (stream temporary_protection) sum to 2001, not the national volume 2000',
                 'a stream''s länstal sum to its own volume');
SELECT throws_ok($$SELECT pg_temp.at_commit('UPDATE settle.year_stream SET national_volume = 2100')$$, '23514', NULL,
                 'a stream''s volume cannot change without its länstal');
SELECT throws_ok($$DELETE FROM settle.year_stream WHERE stream = 'temporary_protection'$$, '23503', NULL,
                 'a stream with decided quotas stays');

-- ---- households belong to a stream
CREATE TEMP TABLE h AS
SELECT register_household('TP-1', 'temporary_protection', 3, '1080', '2022-03-10') AS tp,
       register_household('AB-1', 'abo', 2, '1080', '2022-03-11') AS abo,
       register_household('TP-2', 'temporary_protection', 1, '1081', '2022-03-12', '{}', NULL, NULL, 'ordinary') AS tp_named;
SELECT is((SELECT array_agg(household_stream(x.stream, x.category, 2022) ORDER BY x.id) FROM household x),
          ARRAY['temporary_protection', 'ordinary', 'ordinary'], 'a household''s stream: its category''s, or the one it names');
SELECT is(household_stream(NULL, 'temporary_protection', 2021), 'ordinary', 'in a year without that stream a category falls back to ordinary');
SELECT is(register_household('TP-2', 'temporary_protection', 1, '1081', '2022-03-12', '{}', NULL, NULL, 'ordinary'), (SELECT tp_named FROM h),
          're-registering with the same stream returns the same household');
SELECT throws_ok($$SELECT settle.register_household('TP-2', 'temporary_protection', 1, '1081', '2022-03-12')$$, '23505', NULL,
                 '... another stream is different data');
SELECT is((SELECT array_agg(stream ORDER BY household) FROM waiting('2022-06-17')), ARRAY['temporary_protection', 'ordinary', 'ordinary'],
          'settle.waiting shows each household''s stream');

-- ---- a referral counts in its household's stream only
CREATE TEMP TABLE before AS SELECT stream, quota, referred FROM municipal_quota WHERE municipality = '1081';
SELECT lives_ok($$SELECT settle.refer((SELECT tp FROM h), '1081', '2022-06-20 10:00+02'); SELECT settle.refer((SELECT abo FROM h), '1081', '2022-06-20 10:00+02')$$,
                'refer a protected and an ordinary household to 1081');
SELECT is((SELECT array_agg(stream || ':' || referred ORDER BY stream) FROM municipal_quota WHERE municipality = '1081'),
          ARRAY['ordinary:2', 'temporary_protection:3'], 'each referral counts against its own stream''s kommuntal only');
SELECT is((SELECT array_agg(r.stream ORDER BY h2.ref) FROM referral r JOIN household h2 ON h2.id = r.household),
          ARRAY['ordinary', 'temporary_protection'], 'the referral records its household''s stream');
SELECT throws_ok($$INSERT INTO settle.referral (household, municipality, decided_at, stream)
                   VALUES ((SELECT tp_named FROM h), '1081', '2022-06-20 10:00+02', 'temporary_protection')$$, '23514', NULL,
                 'a referral in another stream than its household''s is refused, whatever the write path');
SELECT throws_ok($$UPDATE settle.household SET stream = 'ordinary' WHERE id = (SELECT tp FROM h)$$, '23514', NULL,
                 'a referred household''s stream cannot change');

-- ---- never below referred, and revisions, per stream and county
SELECT throws_ok($$SELECT * FROM settle.revise_quotas(2022, 'A-1', ARRAY['1081', '1080']::kommunkod[],
                                                      ARRAY[-(SELECT quota - 2 FROM settle.municipal_quota WHERE stream = 'temporary_protection' AND municipality = '1081'),
                                                            (SELECT quota - 2 FROM settle.municipal_quota WHERE stream = 'temporary_protection' AND municipality = '1081')],
                                                      '2022-07-01', 'temporary_protection')$$,
                 '23514', NULL, 'a stream''s kommuntal never falls below the persons referred in that stream (3 > 2)');
SELECT is((SELECT new_quota FROM revise_quotas(2022, 'A-2', ARRAY['1081', '1080']::kommunkod[],
                                               ARRAY[-(SELECT quota - 2 FROM municipal_quota WHERE stream = 'ordinary' AND municipality = '1081'),
                                                     (SELECT quota - 2 FROM municipal_quota WHERE stream = 'ordinary' AND municipality = '1081')],
                                               '2022-07-01') WHERE municipality = '1081'), 2,
          '... while the ordinary kommuntal of 1081 may go down to its own 2 referred');
SELECT is((SELECT array_agg(quota ORDER BY stream) FROM municipal_quota WHERE municipality = '1081'),
          ARRAY[2, (SELECT quota FROM before WHERE stream = 'temporary_protection')], 'the revision moved the ordinary stream only');
SELECT is((SELECT stream || ' ' || county FROM revision WHERE agreement_ref = 'A-2'), 'ordinary 10', 'the revision records its stream and county');
SELECT is((SELECT count(*)::int FROM revise_quotas(2022, 'A-3', ARRAY['1082', '1083']::kommunkod[], ARRAY[-1, 1], '2022-07-02', 'temporary_protection')), 2,
          'a revision within the temporary-protection stream');
SELECT is((SELECT array_agg(h.stream || ':' || h.change ORDER BY h.id) FROM quota_history h JOIN revision v ON v.id = h.revision WHERE v.agreement_ref = 'A-3'),
          ARRAY['temporary_protection:revised', 'temporary_protection:revised'], '... is history of that stream');
SELECT throws_ok($$SELECT * FROM settle.revise_quotas(2022, 'A-4', ARRAY['1081', '0180']::kommunkod[], ARRAY[-1, 1], '2022-07-02', 'temporary_protection')$$,
                 '23514', NULL, 'a revision stays within one county in every stream');

-- ---- reports per stream
SELECT is((SELECT array_agg(stream || ':' || referred ORDER BY stream) FROM quota_status(2022, '2022-06-30') WHERE municipality = '1081'),
          ARRAY['ordinary:2', 'temporary_protection:3'], 'quota_status: a row per stream, with a stream column');
SELECT is((SELECT array_agg(DISTINCT stream) FROM quota_status(2022, '2022-06-30', '{temporary_protection}')), ARRAY['temporary_protection'],
          '... or the streams asked for');
SELECT throws_ok($$SELECT * FROM settle.quota_status(2022, '2022-06-30', '{}')$$, '22023', NULL, 'an empty streams filter is refused');
SELECT throws_ok($$SELECT * FROM settle.quota_status(2022, '2022-06-30', '{temporary}')$$, 'P0002', NULL, 'a stream the year lacks is refused');
SELECT is((SELECT count(*)::int FROM spread_plan(2022, '10', NULL, '{temporary_protection}')), 60, 'spread_plan: one stream''s plans (5 x 12 months)');
SELECT is((SELECT array_agg(DISTINCT stream) FROM annual_plan), ARRAY['temporary_protection'], '... and no other stream''s');
SELECT is((SELECT array_agg(household || ':' || stream ORDER BY household) FROM match(2022, '2022-06-21')),
          ARRAY[(SELECT tp_named FROM h) || ':ordinary'], 'match: a waiting household against its own stream''s quotas');
SELECT is((SELECT count(*)::int FROM match(2022, '2022-06-21', 'chronological', '{temporary_protection}')), 0, '... or only the streams asked for');
SELECT is((SELECT count(*)::int FROM audit(2022)), 0, 'a year with two streams audits clean');

-- ---- the audit per stream
SET CONSTRAINTS ALL IMMEDIATE;   -- (fire the pending commit-time checks first)
SET CONSTRAINTS ALL DEFERRED;
ALTER TABLE municipal_quota DISABLE TRIGGER municipal_quota_check;
UPDATE municipal_quota SET referred = 0 WHERE stream = 'temporary_protection' AND municipality = '1081';
ALTER TABLE municipal_quota ENABLE TRIGGER municipal_quota_check;
SELECT is((SELECT array_agg(rule || ' ' || subject || ' ' || stream) FROM audit(2022)),
          ARRAY['referred_count_matches_referrals 1081 temporary_protection'], 'the audit finds a broken count in its stream');
SELECT is((SELECT count(*)::int FROM audit(2022, '{ordinary}')), 0, '... and audit(year, streams) only the streams asked for');

-- ---- roles: the agency decides the other streams, never ordinary's kommuntal
CREATE ROLE settle_test_agency NOLOGIN IN ROLE settle_agency;
CREATE ROLE settle_test_board NOLOGIN IN ROLE settle_county_board;
INSERT INTO role_scope VALUES ('settle_test_board', '10', NULL);
SET LOCAL ROLE settle_test_agency;
SELECT throws_ok($$INSERT INTO settle.municipal_quota (year, stream, municipality, quota, decision_ref) VALUES (2022, 'ordinary', '0114', 1, 'x')$$,
                 '42501', NULL, 'the agency cannot decide an ordinary kommuntal');
SELECT is((SELECT count(*)::int FROM decide_distribution_numbers(2022, 'MV-2', '2022-07-05')), 290, '... but decides the distribution numbers');
RESET ROLE;
SET LOCAL ROLE settle_test_board;
SELECT is((SELECT count(*)::int FROM revise_quotas(2022, 'A-5', ARRAY['1082', '1083']::kommunkod[], ARRAY[-1, 1], '2022-07-06', 'temporary_protection')), 2,
          'a county board revises its county''s quotas in any stream');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

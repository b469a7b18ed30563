-- Time: the two clocks of every dated fact (effective: given, or settle.today;
-- recorded: the wall clock), decisions in force from their own dates, the
-- order of a quota's history, and a change of the national volume during
-- the year (kommuntal awaiting re-decision).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(34);
\i test/lib/at_commit.sql

-- ---- effective_now, effective_from
SELECT is(effective_now(), now(), 'without settle.today, effective time is now()');
SET LOCAL settle.today = '2027-06-15';
SELECT is(effective_now(), '2027-06-15 10:00+00'::timestamptz, 'with settle.today, noon of that day, Swedish summer time');
SELECT is(effective_from('2027-02-01'), '2027-01-31 23:00+00'::timestamptz, 'a decision dated 1 February takes effect at the start of that Swedish day');
SELECT is(effective_from(NULL), effective_now(), 'an undated decision: effective now');

-- ---- decisions in force from their own dates; recorded when written
SET LOCAL settle.today = '2026-12-20';
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2027, 1000, 'J');
INSERT INTO model_weight VALUES (2027, 'population', 1);
INSERT INTO model_input SELECT 2027, code, 'population', population FROM municipality;
SELECT is((SELECT count(*)::int FROM decide_county_quotas(2027, 'J-1', '2026-11-01')), 21, 'länstal decided, dated 1 November');
SELECT is((SELECT count(*)::int FROM decide_municipal_quotas(2027, '10', 'K-1', '2026-12-01')), 5, 'Blekinge''s kommuntal, dated 1 December');
SELECT is((SELECT array_agg(DISTINCT local_date(valid_from) ORDER BY local_date(valid_from)) FROM quota_history WHERE year = 2027),
          ARRAY['2026-11-01', '2026-12-01']::date[], 'history: each value in force from its decision''s date');
SELECT ok((SELECT bool_and(recorded_at BETWEEN now() AND clock_timestamp()) FROM quota_history WHERE year = 2027),
          'history: each value recorded at the wall clock of its write');
SELECT is((SELECT count(*)::int FROM quota_status(2027, '2026-11-30')), 0, 'no kommuntal in force the day before their decision');
SELECT is((SELECT quota FROM quota_status(2027, '2026-12-01') WHERE level = 'county' AND county = '10'),
          (SELECT quota FROM county_quota WHERE year = 2027 AND county = '10'), 'in force from the day of the decision');
SELECT is((SELECT count(*)::int FROM quota_as_of(2027, '2026-11-15 12:00+01') WHERE municipality IS NULL), 21,
          'the länstal were in force before the kommuntal');

-- ---- a quota's history stays in effective order
SELECT throws_like($$SELECT * FROM revise_quotas(2027, 'A-0', ARRAY['1080', '1081']::kommunkod[], ARRAY[1, -1], '2026-11-20')$$,
                   '%cannot take effect on 2026-11-20, before the value in force since 2026-12-01', 'a revision dated before the value it replaces: refused');
SELECT throws_like($$SELECT * FROM decide_municipal_quotas(2027, '07', 'G-0', '2026-10-01')$$,
                   '%cannot take effect on 2026-10-01, before the länstal it splits (in force from 2026-11-01)',
                   'a kommuntal dated before its county''s länstal: refused');
SELECT is((SELECT array_agg(new_quota - old_quota ORDER BY municipality)
             FROM revise_quotas(2027, 'A-1', ARRAY['1080', '1081']::kommunkod[], ARRAY[1, -1], '2027-01-15')),
          ARRAY[1, -1], 'a revision dated after: accepted');
SELECT is((SELECT local_date(valid_from) FROM quota_history WHERE year = 2027 AND municipality = '1080' AND change = 'revised'),
          '2027-01-15'::date, '... in force from its agreement''s date');

-- ---- households and referrals: effective times given or from settle.today
SET LOCAL settle.today = '2027-01-20';
CREATE TEMP TABLE hh AS
SELECT register_household('T-1', 'abo', 2, '1080', '2026-09-01') AS t1,
       register_household('T-2', 'abo', 2, '1080', '2026-09-01', registered_at => '2026-12-28 09:00+01') AS t2;
SELECT is((SELECT registered_at FROM household WHERE ref = 'T-1'), '2027-01-20 11:00+00'::timestamptz,
          'registered: noon of settle.today by default');
SELECT is((SELECT registered_at FROM household WHERE ref = 'T-2'), '2026-12-28 08:00+00'::timestamptz,
          'registered_at given: back-loaded into the queue');
SELECT is((SELECT array_agg(household ORDER BY queue_position) FROM waiting('2026-12-31')),
          ARRAY[(SELECT id FROM household WHERE ref = 'T-2')], 'waiting as of an earlier day holds only who was registered by then');
CREATE TEMP TABLE r AS SELECT refer((SELECT id FROM household WHERE ref = 'T-1'), '1080') AS id;
SELECT is((SELECT decided_at FROM referral WHERE id = (SELECT id FROM r)), '2027-01-20 11:00+00'::timestamptz,
          'refer: decided at noon of settle.today by default');
SELECT is((SELECT received_on FROM receive((SELECT id FROM r))), '2027-01-20'::date, 'receive: on settle.today by default');
CREATE TEMP TABLE r2 AS SELECT refer((SELECT id FROM household WHERE ref = 'T-2'), '1081', '2027-02-10 10:00+01') AS id;
SELECT is((SELECT withdrawn_at FROM withdraw((SELECT id FROM r2), 'declined')), '2027-02-10 09:00+00'::timestamptz,
          'a withdrawal never takes effect before the decision it withdraws');
SELECT ok((SELECT withdraw_recorded_at BETWEEN now() AND clock_timestamp() FROM referral WHERE id = (SELECT id FROM r2)),
          '... and is recorded at the wall clock');
SELECT throws_ok($$UPDATE settle.referral SET withdraw_recorded_at = now() WHERE id = (SELECT id FROM r2)$$, '23514', NULL,
                 'the recorded time of a withdrawal cannot be rewritten');

-- ---- a change of the national volume during the year
SET LOCAL settle.today = '2027-03-01';
SELECT lives_ok($$SELECT pg_temp.at_commit('UPDATE settle.planning_year SET national_volume = 900 WHERE year = 2027;
                                             UPDATE settle.county_quota SET quota = quota - 100, decision_ref = ''J-2'', decision_date = ''2027-03-01''
                                              WHERE year = 2027 AND county = ''01''')$$,
                'the agency lowers the volume and a länstal whose kommuntal are not decided: accepted');
SELECT lives_ok($$SELECT pg_temp.at_commit('UPDATE settle.planning_year SET national_volume = 890 WHERE year = 2027;
                                             UPDATE settle.county_quota SET quota = quota - 10, decision_ref = ''J-3'', decision_date = ''2027-03-01''
                                              WHERE year = 2027 AND county = ''10''')$$,
                '... and Blekinge''s, whose kommuntal are decided: accepted, the kommuntal now await re-decision');
SELECT is(kommuntal_awaiting(2027, '10'), true, 'kommuntal_awaiting: Blekinge');
SELECT is((SELECT array_agg(DISTINCT kommuntal_awaiting) FROM quota_status(2027, '2027-03-02') WHERE county = '10'), ARRAY[true],
          'quota_status shows it');
SELECT is((SELECT array_agg(rule) FROM audit(2027)), ARRAY['kommuntal_awaiting_redecision'], 'audit shows it as such, not as a broken rule');
SELECT throws_ok($$SELECT pg_temp.at_commit('UPDATE settle.municipal_quota SET quota = quota - 1, decision_ref = ''K-x'', decision_date = ''2027-03-05''
                                              WHERE year = 2027 AND municipality = ''1083''')$$,
                 '23514', NULL, 'a county board''s decision that does not sum to the new länstal: refused at commit');
SELECT is((SELECT sum(quota)::int FROM decide_municipal_quotas(2027, '10', 'K-2', '2027-03-05')),
          (SELECT quota FROM county_quota WHERE year = 2027 AND county = '10'), 'the county board decides new kommuntal');
SELECT is((SELECT string_agg(rule || ': ' || detail, '; ') FROM audit(2027)), NULL, 'no longer awaiting: the audit is empty');

-- ---- the reports of a year agree on what a year is: a planning year
SELECT throws_ok($$SELECT * FROM settle.county_report(2040, 1, '10')$$, 'P0002', NULL, 'county_report of a year never planned: P0002');
SELECT throws_ok($$SELECT * FROM settle.fairness(2040)$$, 'P0002', NULL, 'fairness: the same');
SELECT throws_ok($$SELECT * FROM settle.reception_per_capita(2040)$$, 'P0002', NULL, 'reception_per_capita: the same');

SELECT * FROM finish();
ROLLBACK;

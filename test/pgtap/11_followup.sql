-- Follow-up: reception per capita, the quarterly county report, waiting
-- times, fairness, the BI views and the map, on a small hand-built 2027.
--
-- The year.  Every municipality is given a population of 1,000 for 2026 (a
-- later year than the shipped data, so population_in(2027) uses it), and one
-- household of k persons, k = 1 + (its position in code order mod 5), is
-- referred there on 10 January and received on 1 February.  So per 1,000
-- inhabitants each municipality received exactly k: 58 municipalities each
-- of k = 1, 2, 3, 4 and 5 (290 = 5 x 58).  National: 58 x (1+2+3+4+5) = 870
-- persons over 290,000 inhabitants = 3.000 per 1,000; the median of the 290
-- figures is the mean of the 145th and 146th sorted values, both 3, so 3.000;
-- above the median: k = 4 or 5, 116 municipalities; rank 1 for k = 5 (58
-- tied), rank 59 for k = 4.  In Blekinge (positions 91-95): Olofström 1060
-- k = 2, Karlskrona 1080 k = 3, Ronneby 1081 k = 4, Karlshamn 1082 k = 5,
-- Sölvesborg 1083 k = 1.
--
-- More households (all registered on 1 December 2026 or earlier, except W):
--   O   2 persons, permit 2026-11-01, referred to Karlskrona 2027-01-05, not
--       received: deadline (2 months) 2027-03-05, overdue on 31 March;
--   HY  7 persons (hard to place), permit 2026-02-01, referred to Karlshamn
--       2027-01-20, not received: deadline 2027-03-20, overdue on 31 March;
--   F   3 persons, permit 2026-12-01, referred to Karlskrona 2027-02-15;
--   HX  1 person needing accessible housing (hard), permit 2026-01-01,
--       referred to Sölvesborg (the one able) 2027-03-01;
--   W   6 persons (hard), permit 2027-01-01, registered 2027-01-02, waiting.
-- Blekinge's kommuntal: Karlskrona 20, Ronneby 10, Karlshamn 15, Sölvesborg 8,
-- Olofström the rest of the länstal; the annual plan puts the whole year in
-- January-March (profile 1,1,1,0,...), so planned to date at the end of Q1 =
-- the quota.  Ronneby pauses 20 March - 10 April: 12 days in Q1.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SET LOCAL settle.today = '2027-03-31';
SELECT plan(64);

INSERT INTO planning_year (year, national_volume) VALUES (2027, 100000);
INSERT INTO model_weight VALUES (2027, 'population', 1);
INSERT INTO model_input SELECT 2027, code, 'population', population FROM municipality;
SELECT is((SELECT count(*)::int FROM decide_county_quotas(2027, 'J')), 21, 'setup: county quotas');
SELECT is((SELECT count(*)::int FROM county c, decide_municipal_quotas(2027, c.code, 'L')), 290, 'setup: municipal quotas');
SELECT is((SELECT count(*)::int FROM revise_quotas(2027, 'setup', ARRAY['1080', '1081', '1082', '1083', '1060']::kommunkod[],
          (SELECT array_agg((CASE municipality WHEN '1080' THEN 20 WHEN '1081' THEN 10 WHEN '1082' THEN 15 WHEN '1083' THEN 8
                                  ELSE (SELECT quota FROM county_quota WHERE year = 2027 AND county = '10') - 53 END) - quota
                            ORDER BY array_position(ARRAY['1080', '1081', '1082', '1083', '1060'], municipality::text))
             FROM municipal_quota WHERE year = 2027 AND county = '10'))), 5, 'setup: Blekinge 20, 10, 15, 8 and the rest');
SELECT is((SELECT count(*)::int FROM spread_plan(2027, '10', ARRAY[1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])), 5 * 12, 'setup: Blekinge plans the year in Q1');
INSERT INTO capability VALUES (2027, '1083', 'accessible_housing');
INSERT INTO population (municipality, year, population) SELECT code, 2026, 1000 FROM municipality;

CREATE TEMP TABLE k AS SELECT code, 1 + (row_number() OVER (ORDER BY code))::int % 5 AS k FROM municipality;
INSERT INTO household (ref, category, persons, residence, permit_date, needs, registered_at)
SELECT 'K-' || code, 'abo', k, code, '2026-06-01', '{}', '2026-06-05 10:00+02' FROM k;
INSERT INTO household (ref, category, persons, residence, permit_date, needs, registered_at) VALUES
    ('O', 'abo', 2, '1080', '2026-11-01', '{}', '2026-11-02 10:00+01'),
    ('HY', 'abo', 7, '1082', '2026-02-01', '{}', '2026-02-02 10:00+01'),
    ('F', 'abo', 3, '1080', '2026-12-01', '{}', '2026-12-01 10:00+01'),
    ('HX', 'abo', 1, '1083', '2026-01-01', '{accessible_housing}', '2026-01-02 10:00+01'),
    ('W', 'abo', 6, '1081', '2027-01-01', '{}', '2027-01-02 10:00+01');
CREATE FUNCTION pg_temp.h(r text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM settle.household WHERE ref = r $$;
SELECT is((SELECT count(refer(h.id, h.residence, '2027-01-10 10:00+01'))::int FROM household h WHERE h.ref LIKE 'K-%'), 290, 'setup: 290 referrals');
SELECT is((SELECT count(receive(r.id, '2027-02-01'))::int FROM referral r JOIN household h ON h.id = r.household WHERE h.ref LIKE 'K-%'),
          290, 'setup: all received on 1 February');
SELECT ok(refer(pg_temp.h('O'), '1080', '2027-01-05 10:00+01') > 0
          AND refer(pg_temp.h('HY'), '1082', '2027-01-20 10:00+01') > 0
          AND refer(pg_temp.h('F'), '1080', '2027-02-15 10:00+01') > 0
          AND refer(pg_temp.h('HX'), '1083', '2027-03-01 10:00+01') > 0, 'setup: O, HY, F and HX referred');
SELECT ok(pause(2027, '1081', '2027-03-20', '2027-04-10', 'water damage') > 0, 'setup: Ronneby pauses');

-- reception per capita
CREATE TEMP TABLE pc AS SELECT * FROM reception_per_capita(2027);
SELECT is((SELECT (received, population, per_1000, national_median)::text FROM pc WHERE level = 'national'),
          '(870,290000,3.000,3.000)', 'national: 870 persons per 290,000 inhabitants = 3.000 per 1,000; median 3.000');
SELECT is((SELECT count(*)::int FROM pc WHERE level = 'municipality'), 290, 'one row per municipality');
SELECT is((SELECT count(*)::int FROM pc WHERE above_median), 116, 'above the median: the 116 with 4 or 5');
SELECT is((SELECT string_agg(municipality || '=' || per_1000 || '/' || rank || '/' || above_median, ' ' ORDER BY municipality)
             FROM pc WHERE county = '10'),
          '1060=2.000/175/false 1080=3.000/117/false 1081=4.000/59/true 1082=5.000/1/true 1083=1.000/233/false',
          'Blekinge: per 1,000, rank (1 = most; 58 tie per value) and above the median (3 is not above 3)');
SELECT throws_ok($$SELECT * FROM reception_per_capita(NULL)$$, '22004', NULL, 'reception_per_capita: NULL year');
SELECT throws_ok($$SELECT * FROM reception_per_capita(20270)$$, '22023', NULL, 'reception_per_capita: year out of range');

-- the quarterly county report: Blekinge, January-March
CREATE TEMP TABLE cr AS SELECT * FROM county_report(2027, 1, '10');
SELECT is((SELECT string_agg(format('%s q%s ref%s rec%s rem%s plan%s dev%s od%s p%s/%s %s%%', municipality, quota, referred, received, remaining,
                                    planned_to_date, deviation, overdue, pauses, paused_days, fulfilment_pct), '; ' ORDER BY municipality)
             FROM cr WHERE municipality <> '1060'),
          '1080 q20 ref8 rec3 rem12 plan20 dev-12 od1 p0/0 40.0%; '
          || '1081 q10 ref4 rec4 rem6 plan10 dev-6 od0 p1/12 40.0%; '
          || '1082 q15 ref12 rec5 rem3 plan15 dev-3 od1 p0/0 80.0%; '
          || '1083 q8 ref2 rec1 rem6 plan8 dev-6 od0 p0/0 25.0%',
          'per municipality: Karlskrona 3 + O 2 + F 3 referred, O overdue; Ronneby''s pause, 12 days; Karlshamn 5 + HY 7, HY overdue; Sölvesborg 1 + HX 1');
SELECT is((SELECT (referred, received, overdue, pauses, paused_days)::text FROM cr WHERE level = 'county'),
          '(28,15,2,1,12)', 'county totals: 2 + 8 + 4 + 12 + 2 referred, 2 + 3 + 4 + 5 + 1 received, 2 overdue, 1 pause');
SELECT is((SELECT quota FROM cr WHERE level = 'county'), (SELECT quota FROM county_quota WHERE year = 2027 AND county = '10'),
          'the county''s quota is its länstal');
SELECT is((SELECT quota - referred FROM cr WHERE municipality = '1060'), (SELECT quota FROM county_quota WHERE year = 2027 AND county = '10') - 53 - 2,
          'Olofström: the rest of the länstal, 2 referred');
SELECT is((SELECT (referred, overdue)::text FROM county_report(2027, 2, '10') WHERE level = 'county'), '(28,4)',
          'Q2 as of 30 June: the same referrals; O and HY still overdue, now F (deadline 15 April) and HX (1 May) too');
SELECT throws_ok($$SELECT * FROM county_report(2027, 5, '10')$$, '22023', NULL, 'county_report: quarter 5');
SELECT throws_ok($$SELECT * FROM county_report(2027, 1, NULL)$$, '22004', NULL, 'county_report: NULL county');
SELECT throws_ok($$SELECT * FROM county_report(2031, 1, '10')$$, 'P0002', NULL, 'county_report: a year without quotas');

-- waiting times on 31 March
CREATE TEMP TABLE wt AS SELECT * FROM waiting_times('2027-03-31');
-- not hard: the 290 (permit 2026-06-01, referred 2027-01-10: 223 days, received 2027-02-01: 245), O (65) and F (76)
SELECT is((SELECT (households, referred, to_referral_median, to_referral_p90, to_referral_max, received, to_reception_median, still_waiting)::text
             FROM wt WHERE category IS NULL AND hard_to_place = false),
          '(292,292,223,223,223,290,245,0)', 'not hard to place: 292 households, median 223 days to referral, 245 to reception');
-- hard: HY 353 days (2026-02-01 -> 2027-01-20), HX 424 (2026-01-01 -> 2027-03-01); W waiting 89 days
-- median of {353, 424} = 388.5; 90th percentile = 353 + 0.9 x 71 = 416.9
SELECT is((SELECT (households, referred, to_referral_median, to_referral_p90, to_referral_max, received, still_waiting, still_waiting_median_days)::text
             FROM wt WHERE category IS NULL AND hard_to_place),
          '(3,2,388.5,416.9,424,0,1,89)', 'hard to place: median 388.5, 90th percentile 416.9, maximum 424 days; W waits, 89 days');
SELECT is((SELECT (households, referred, still_waiting)::text FROM wt WHERE category IS NULL AND hard_to_place IS NULL),
          '(295,294,1)', 'everyone');
SELECT is((SELECT count(*)::int FROM wt WHERE category = 'abo'), 2, 'per category: abo, hard and not');
SELECT throws_ok($$SELECT * FROM waiting_times(NULL)$$, '22004', NULL, 'waiting_times: NULL date');

-- fairness: January, 290 + O referred (later, not hard) while HX and HY (earlier, hard) waited; HY was then referred
-- on 20 January; February: F passed HX again; March: HX's turn
SELECT is((SELECT string_agg(format('%s: %s/%s/%s/%s', month, referred, referred_hard, passed_over_hard, passed_by_easier), ' ' ORDER BY month)
             FROM fairness(2027) WHERE month <= 4),
          '1: 292/1/2/291 2: 1/0/1/1 3: 1/1/0/0 4: 0/0/0/0', 'per month: referred, of them hard, hard passed over, easier passing');
SELECT is((SELECT finding FROM fairness(2027) WHERE month = 2),
          'pushed back: 1 hard-to-place household waited while 1 later, easier household was referred', 'February''s finding');
SELECT is((SELECT example FROM fairness(2027) WHERE month = 2),
          format('household %s (permit 2026-01-01) waited while household %s (permit 2026-12-01) was referred', pg_temp.h('HX'), pg_temp.h('F')),
          '... with the example');
SELECT is((SELECT finding FROM fairness(2027) WHERE month = 3),
          'in turn: 1 referred (1 hard to place); no hard-to-place household was passed over by a later, easier one', 'March: in turn');
SELECT is((SELECT finding FROM fairness(2027) WHERE month = 4), 'no referrals', 'April: nothing');

-- the views for BI tools
SELECT is((SELECT count(*)::int FROM v_county_report WHERE year = 2027 AND quarter = 1 AND county = '10'), 6, 'v_county_report');
SELECT is((SELECT per_1000 FROM v_reception_per_capita WHERE year = 2027 AND level = 'national'), 3.000, 'v_reception_per_capita');

-- roles: a county board reports on its own county; an analyst reads the views
CREATE ROLE settle_test_board_k NOLOGIN IN ROLE settle_county_board;
CREATE ROLE settle_test_analyst NOLOGIN IN ROLE settle_analyst;
INSERT INTO role_scope VALUES ('settle_test_board_k', '10', NULL);
SET LOCAL ROLE settle_test_board_k;
SELECT is((SELECT (referred, overdue)::text FROM county_report(2027, 1, '10') WHERE level = 'county'), '(28,2)',
          'a county board runs its own county''s report');
SELECT is((SELECT count(*)::int FROM referral), 5 + 4, 'it reads the referrals of its county only (5 + O, HY, F, HX)');
SELECT is((SELECT count(*)::int FROM county_report(2027, 1, '12') WHERE level = 'municipality'), 0,
          'another county''s report shows it no municipality');
RESET ROLE;
SET LOCAL ROLE settle_test_analyst;
SELECT is((SELECT count(*)::int FROM v_fairness WHERE year = 2027), 12, 'an analyst reads the views');
SELECT throws_ok($$SELECT ref FROM household$$, '42501', NULL, '... but no case references');
RESET ROLE;

-- the map (rendered in a browser by test/scripts/map_render.sh)
SELECT is((SELECT (regexp_match(map_svg(2027), '<title>(Karlshamn \(1082\): [^<]*)</title>'))[1]), 'Karlshamn (1082): 80.0 %, kommuntal 15',
          'map_svg: each municipality with its figures');
SELECT is((SELECT count(*)::int FROM regexp_matches(map_svg(2027), '<path d="M[^"]*" fill="[^"]*"><title>', 'g')), 290,
          'map_svg: every municipality drawn as its outline, filled');
SELECT is((SELECT count(*)::int FROM regexp_matches(map_svg(2027), '<path d="M[^"]*"/>', 'g')), (SELECT count(*)::int FROM county_border),
          'map_svg: every county border drawn');
SELECT is((SELECT string_agg(m[1], ',' ORDER BY m[1]) FROM regexp_matches(map_svg(2027, county => '10'), '<title>[^<]* \(([0-9]{4})\):', 'g') AS m),
          '1060,1080,1081,1082,1083', 'map_svg: a county zooms in on its own municipalities only');
SELECT is((SELECT count(*)::int FROM regexp_matches(map_svg(2027, county => '10'), '<path d="M[^"]*"/>', 'g')),
          (SELECT count(*)::int FROM county_border WHERE '10' IN (county_a, county_b)), '... with its own borders');
SELECT is((SELECT count(*)::int FROM regexp_matches(map_svg(2027, style => 'dots'), '<circle cx', 'g')), 290 + 1,
          'map_svg: the dots style draws a dot per municipality (and one in the legend)');
SELECT throws_ok($$SELECT map_svg(2027, style => 'pie')$$, '22023', 'unknown map style ''pie''', 'map_svg: unknown style');
SELECT is((SELECT string_agg(m[1], ' | ' ORDER BY m[1])
             FROM regexp_matches(map_svg(2027, 'waiting_days'), '<title>([^<]*: [0-9.]+ days), kommuntal', 'g') m),
          (SELECT string_agg(format('%s (%s): %s days', mu.name, mu.code, round(v.days::numeric, 1)), ' | ' ORDER BY format('%s (%s): %s days', mu.name, mu.code, round(v.days::numeric, 1)))
             FROM (SELECT h.residence, percentile_cont(0.5) WITHIN GROUP (ORDER BY '2027-03-31'::date - w.permit_date) AS days
                     FROM waits('2027-03-31') w JOIN household h ON h.id = w.household
                    WHERE w.referred_on IS NULL AND h.residence IS NOT NULL GROUP BY h.residence) v
             JOIN municipality mu ON mu.code = v.residence),
          'map_svg waiting_days: each municipality''s median days waited by the households still waiting that live there');
SELECT is((SELECT count(*)::int FROM regexp_matches(map_svg(2027, 'waiting_days'), 'fill="#bbbbbb"><title>[^<]*: no value,', 'g')),
          (SELECT count(*)::int FROM municipality m WHERE NOT EXISTS (
              SELECT 1 FROM waits('2027-03-31') w JOIN household h ON h.id = w.household WHERE w.referred_on IS NULL AND h.residence = m.code)),
          '... and no value where no one waits');
-- the plan chart (rendered by test/scripts/map_render.sh too)
SELECT is((SELECT (regexp_match(plan_chart_svg(2027, '10'), '<title>(referred [0-9]+ persons by [0-9-]+)</title>'))[1]),
          (SELECT format('referred %s persons by 2027-03-31', sum(referred)) FROM quota_status(2027) WHERE level = 'municipality' AND county = '10'),
          'plan_chart_svg: the referred line ends at the persons referred by as_of (quota_status)');
SELECT is((SELECT (regexp_match(c, 'class="referred"[^>]* points="[^"]* ([0-9.]+,[0-9.]+)"'))[1]
                  = (SELECT m[1] || ',' || m[2] FROM regexp_match(c, 'class="referred-end" cx="([0-9.]+)" cy="([0-9.]+)"') m)
             FROM (SELECT plan_chart_svg(2027, '10') AS c) x), true,
          '... and the line''s last point is that end');
SELECT is((SELECT (regexp_match(plan_chart_svg(2027, '10'), '>plan \(([0-9]+)\)<'))[1]::int),
          (SELECT sum(planned)::int FROM annual_plan WHERE year = 2027 AND municipality IN (SELECT code FROM municipality WHERE county = '10')),
          'plan_chart_svg: the plan line reaches the year''s plan');
SELECT is((SELECT count(*)::int FROM regexp_matches(plan_chart_svg(2027, municipality => '1080'), 'class="plan"[^>]* points="([^"]*)"', 'g') m,
                  regexp_split_to_table(m[1], ' ') p), 13, 'plan_chart_svg: the plan by month''s end, from the year''s start (13 points)');
SELECT throws_ok($$SELECT plan_chart_svg(2027, '10', '0180')$$, '22023', 'municipality 0180 Stockholm does not lie in county 10 Blekinge län',
                 'plan_chart_svg: a municipality outside the county');
SELECT throws_ok($$SELECT plan_chart_svg(2027, as_of => NULL)$$, '22004', NULL, 'plan_chart_svg: NULL as_of');
-- the waiting chart: its figures are waiting_times' (both read settle.waits)
SELECT is((SELECT string_agg(m[1], ' | ' ORDER BY o) FROM regexp_matches(waiting_chart_svg(), '<text class="(?:hard|rest)-figures"[^>]*>([^<]*)</text>', 'g') WITH ORDINALITY AS x(m, o)),
          (SELECT string_agg(format('%s households, median %s days', n, coalesce(round(med, 1)::text, '–')), ' | ' ORDER BY panel, NOT wt.hard_to_place)
             FROM waiting_times() wt,
                  LATERAL (VALUES (1, wt.referred, wt.to_referral_median), (2, wt.still_waiting, wt.still_waiting_median_days)) v(panel, n, med)
            WHERE wt.category IS NULL AND wt.hard_to_place IS NOT NULL),
          'waiting_chart_svg: households and median days per group and panel are waiting_times''');
SELECT is((SELECT string_agg(format('%s: %s bars, %s', k, bars, sum_n = total), ' | ' ORDER BY k)
             FROM (SELECT m[1] AS k, count(*) AS bars, sum(m[2]::int) AS sum_n, min(m[3]::int) AS total
                     FROM regexp_matches(waiting_chart_svg(), '<rect class="([a-z]+ [a-z]+)"[^>]*><title>[^:]*: ([0-9]+) of ([0-9]+) households', 'g') m
                    GROUP BY m[1]) x),
          'hard referred: 6 bars, t | hard waiting: 6 bars, t | rest referred: 6 bars, t | rest waiting: 6 bars, t',
          '... and six bars per group and panel that add up to the group');
SELECT throws_ok($$SELECT waiting_chart_svg(NULL)$$, '22004', NULL, 'waiting_chart_svg: NULL as_of');
SELECT throws_ok($$SELECT waiting_chart_svg('infinity')$$, '22023', NULL, 'waiting_chart_svg: an infinite day');
-- the county report as one page
SELECT is((SELECT count(*)::int FROM regexp_matches(county_report_html(2027, 1, '10'), '<tr class="municipality">', 'g')),
          (SELECT count(*)::int FROM county_report(2027, 1, '10') WHERE level = 'municipality'),
          'county_report_html: a row per municipality of county_report');
SELECT is((SELECT (regexp_match(county_report_html(2027, 1, '10'), '<tr class="county"><td></td><td>[^<]*</td><td class="n">([0-9]+)</td><td class="n">([0-9]+)</td>')) :: text),
          (SELECT ARRAY[quota::text, referred::text]::text FROM county_report(2027, 1, '10') WHERE level = 'county'),
          '... the county''s kommuntal and referred as county_report has them');
SELECT is((SELECT count(*)::int FROM regexp_matches(county_report_html(2027, 1, '10'), '<svg xmlns', 'g'))
          || ' ' || (county_report_html(2027, 1, '10') LIKE '%' || map_svg(2027, 'fulfilment', '2027-03-31', NULL, '10') || '%')
          || ' ' || (county_report_html(2027, 1, '10') LIKE '%' || plan_chart_svg(2027, '10', NULL, '2027-03-31') || '%'),
          '2 true true', '... with the county''s map and its plan chart as of the quarter''s end, inline');
SELECT throws_ok($$SELECT county_report_html(2027, 5, '10')$$, '22023', NULL, 'county_report_html: quarter 5');
SELECT throws_ok($$SELECT map_svg(2027, 'happiness')$$, '22023', NULL, 'map_svg: unknown metric');
SELECT throws_ok($$SELECT map_svg(2027, 'fulfilment', NULL)$$, '22004', NULL, 'map_svg: NULL date');

SELECT * FROM finish();
ROLLBACK;

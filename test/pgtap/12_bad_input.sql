-- Bad input: every public function fed malformed, NULL, extreme and hostile
-- arguments (empty and huge arrays, NaN/Infinity, 2^31, unknown codes,
-- SQL-injection-shaped text, dates out of range).  Each must fail with the
-- exact SQLSTATE listed (or, where the input is legitimate after all, such as
-- a total of 2^31 - 1 persons to apportion, succeed), never crash the backend,
-- and leave nothing written: a checksum of every settle table is the same
-- before and after the corpus.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SET LOCAL settle.today = '2027-02-01';
SELECT plan(101 + 7);

INSERT INTO planning_year (year, national_volume) VALUES (2027, 20000);
INSERT INTO model_weight VALUES (2027, 'population', 1);
INSERT INTO model_input SELECT 2027, code, 'population', population FROM municipality;
SELECT is((SELECT count(*)::int FROM decide_county_quotas(2027, 'J')), 21, 'setup: county quotas');
SELECT is((SELECT count(*)::int FROM county c, decide_municipal_quotas(2027, c.code, 'L')), 290, 'setup: municipal quotas');
-- household 1 is referred; 2 needs specialist care (met nowhere); 3 is plain
SELECT is(ARRAY[register_household('B-1', 'abo', 2, '0180', '2026-10-01'),
                register_household('B-2', 'abo', 1, '1080', '2026-10-01', '{specialist_care}'),
                register_household('B-3', 'abo', 1, '1080', '2026-10-01')]::int[], ARRAY[1, 2, 3], 'setup: three households');
SELECT ok(refer(1, '0180', '2027-01-10 10:00+01') > 0, 'setup: household 1 referred');

CREATE FUNCTION pg_temp.everything() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
        SELECT 'h' || h::text t FROM settle.household h UNION ALL
        SELECT 'r' || r::text FROM settle.referral r UNION ALL
        SELECT 'q' || q::text FROM settle.municipal_quota q UNION ALL
        SELECT 'c' || c::text FROM settle.county_quota c UNION ALL
        SELECT 'y' || (x.year, x.municipality, x.quota, x.decision_ref)::text FROM settle.quota_history x UNION ALL
        SELECT 'l' || (l.id, l.kind, l.subject, l.payload)::text FROM settle.decision_log l UNION ALL
        SELECT 'p' || p::text FROM settle.pause p UNION ALL
        SELECT 'a' || a::text FROM settle.annual_plan a UNION ALL
        SELECT 'm' || m::text FROM settle.municipality m UNION ALL
        SELECT 's' || s::text FROM settle.setting s) x
$$;
CREATE TEMP TABLE before AS SELECT pg_temp.everything() AS sum;

CREATE TEMP TABLE corpus (what text, call text, sqlstate text) ;
INSERT INTO corpus VALUES
    ('kommunkod text empty', 'SELECT ''''::settle.kommunkod', '22P02'),
    ('kommunkod text injection', 'SELECT ''0180''''; DROP TABLE settle.referral; --''::settle.kommunkod', '22P02'),
    ('kommunkod text huge', 'SELECT repeat(''9'', 100000)::settle.kommunkod', '22P02'),
    ('kommunkod int 2^31-1', 'SELECT 2147483647::settle.kommunkod', '22003'),
    ('kommunkod int negative', 'SELECT (-180)::settle.kommunkod', '22003'),
    ('lanskod text unknown', 'SELECT ''ZZ''::settle.lanskod', '22P02'),
    ('lanskod int 99', 'SELECT 99::settle.lanskod', '22003'),
    ('letter NULL', 'SELECT settle.letter(NULL)', NULL),
    ('distance NaN', 'SELECT settle.distance_km(''NaN''::float8, 15, 60, 15)', '22003'),
    ('distance Infinity', 'SELECT settle.distance_km(''Infinity''::float8, 15, 60, 15)', '22003'),
    ('distance lat 91', 'SELECT settle.distance_km(91, 15, 60, 15)', '22003'),
    ('distance unknown municipality', 'SELECT settle.distance_km(''0999'', ''0180'')', '22023'),
    ('apportion total negative', 'SELECT * FROM settle.apportion(-1, ARRAY[''a''], ARRAY[1.0])', '22023'),
    ('apportion total NULL', 'SELECT * FROM settle.apportion(NULL, ARRAY[''a''], ARRAY[1.0])', '22004'),
    ('apportion empty arrays', 'SELECT * FROM settle.apportion(10, ARRAY[]::text[], ARRAY[]::numeric[])', '22023'),
    ('apportion length mismatch', 'SELECT * FROM settle.apportion(10, ARRAY[''a'',''b''], ARRAY[1.0])', '2202E'),
    ('apportion NaN weight', 'SELECT * FROM settle.apportion(10, ARRAY[''a''], ARRAY[''NaN''::numeric])', '22023'),
    ('apportion Infinity weight', 'SELECT * FROM settle.apportion(10, ARRAY[''a''], ARRAY[''Infinity''::numeric])', '22023'),
    ('apportion negative weight', 'SELECT * FROM settle.apportion(10, ARRAY[''a''], ARRAY[-1.0])', '22023'),
    ('apportion unknown method', 'SELECT * FROM settle.apportion(10, ARRAY[''a''], ARRAY[1.0], ''lottery'')', '22023'),
    ('apportion injection method', 'SELECT * FROM settle.apportion(10, ARRAY[''a''], ARRAY[1.0], ''hamilton''''; DROP TABLE x; --'')', '22023'),
    ('apportion 2^31 total', 'SELECT * FROM settle.apportion(2147483647, ARRAY[''a'',''b''], ARRAY[1.0, 2.0])', NULL),
    ('apportion huge array', 'SELECT count(*) FROM settle.apportion(10, ARRAY(SELECT ''k'' || g FROM generate_series(1, 2000000) g), ARRAY(SELECT 1.0 FROM generate_series(1, 2000000) g))', '54000'),
    ('apportion NULL key', 'SELECT * FROM settle.apportion(10, ARRAY[''a'', NULL], ARRAY[1.0, 1.0])', '22004'),
    ('apportion duplicate key', 'SELECT * FROM settle.apportion(10, ARRAY[''a'', ''a''], ARRAY[1.0, 1.0])', '22023'),
    ('apportion jsonb not object', 'SELECT * FROM settle.apportion(10, ''[1,2]''::jsonb)', '22023'),
    ('apportion jsonb string weight', 'SELECT * FROM settle.apportion(10, ''{"a": "x"}''::jsonb)', '22023'),
    ('model_scores NULL year', 'SELECT * FROM settle.model_scores(NULL)', '22004'),
    ('model_scores unknown year', 'SELECT * FROM settle.model_scores(1999)', 'P0002'),
    ('candidates NULL household', 'SELECT * FROM settle.candidates(NULL)', '22004'),
    ('model_shares unknown year', 'SELECT * FROM settle.model_shares(1999)', 'P0002'),
    ('propose_county NULL', 'SELECT * FROM settle.propose_county_quotas(NULL)', '22004'),
    ('propose_municipal unknown county', 'SELECT * FROM settle.propose_municipal_quotas(2027, ''99'')', '22P02'),
    ('decide_county empty ref', 'SELECT * FROM settle.decide_county_quotas(2027, '''')', '22004'),
    ('decide_county unknown year', 'SELECT * FROM settle.decide_county_quotas(1999, ''x'')', 'P0002'),
    ('decide_municipal NULL county', 'SELECT * FROM settle.decide_municipal_quotas(2027, NULL, ''x'')', '22004'),
    ('revise empty arrays', 'SELECT * FROM settle.revise_quotas(2027, ''x'', ARRAY[]::settle.kommunkod[], ARRAY[]::int[])', '22004'),
    ('revise mismatch', 'SELECT * FROM settle.revise_quotas(2027, ''x'', ARRAY[''1080'']::settle.kommunkod[], ARRAY[1, -1])', '2202E'),
    ('revise not summing to 0', 'SELECT * FROM settle.revise_quotas(2027, ''x'', ARRAY[''1080'',''1081'']::settle.kommunkod[], ARRAY[1, 1])', '23514'),
    ('revise 2^31 delta', 'SELECT * FROM settle.revise_quotas(2027, ''x'', ARRAY[''1080'',''1081'']::settle.kommunkod[], ARRAY[2147483647, -2147483647])', '22003'),
    ('revise two counties', 'SELECT * FROM settle.revise_quotas(2027, ''x'', ARRAY[''1080'',''0180'']::settle.kommunkod[], ARRAY[1, -1])', '23514'),
    ('revise NULL delta', 'SELECT * FROM settle.revise_quotas(2027, ''x'', ARRAY[''1080'',''1081'']::settle.kommunkod[], ARRAY[1, NULL])', '22004'),
    ('revise duplicate municipality', 'SELECT * FROM settle.revise_quotas(2027, ''x'', ARRAY[''1080'',''1080'']::settle.kommunkod[], ARRAY[1, -1])', '22023'),
    ('quota_as_of NULL', 'SELECT * FROM settle.quota_as_of(2027, NULL)', NULL),
    ('register empty ref', 'SELECT settle.register_household('''', ''abo'', 1, ''0180'', ''2026-01-01'')', '23514'),
    ('register unknown category', 'SELECT settle.register_household(''r1'', ''tourist'', 1, ''0180'', ''2026-01-01'')', '23514'),
    ('register zero persons', 'SELECT settle.register_household(''r2'', ''abo'', 0, ''0180'', ''2026-01-01'')', '23514'),
    ('register 2^31 persons', 'SELECT settle.register_household(''r3'', ''abo'', 2147483647, ''0180'', ''2026-01-01'')', '23514'),
    ('register unknown need', 'SELECT settle.register_household(''r4'', ''abo'', 1, ''0180'', ''2026-01-01'', ARRAY[''wings''])', '23503'),
    ('register NULL in needs', 'SELECT settle.register_household(''r5'', ''abo'', 1, ''0180'', ''2026-01-01'', ARRAY[NULL]::text[])', '22004'),
    ('register quota refugee with residence', 'SELECT settle.register_household(''r6'', ''quota_refugee'', 1, ''0180'', ''2026-01-01'')', '23514'),
    ('register permit infinity', 'SELECT settle.register_household(''r7'', ''abo'', 1, ''0180'', ''infinity'')', '23514'),
    ('refer unknown household', 'SELECT settle.refer(424242, ''0180'', ''2027-01-10 10:00+01'')', '23503'),
    ('refer NULL municipality', 'SELECT settle.refer(1, NULL, ''2027-01-10 10:00+01'')', '22004'),
    ('refer year without quotas', 'SELECT settle.refer(3, ''0180'', ''2031-01-10 10:00+01'')', '23503'),
    ('refer force without reason', 'SELECT settle.refer(2, ''0180'', ''2027-01-10 10:00+01'', ''x'', true, NULL)', '22004'),
    ('refer decided infinity', 'SELECT settle.refer(1, ''0180'', ''infinity'')', '22023'),
    ('receive unknown', 'SELECT settle.receive(424242, ''2027-02-01'')', 'P0002'),
    ('receive NULL date', 'SELECT settle.receive(1, NULL)', '22004'),
    ('withdraw empty reason', 'SELECT settle.withdraw(1, '''')', '22004'),
    ('withdraw unknown', 'SELECT settle.withdraw(424242, ''x'')', 'P0002'),
    ('overdue NULL', 'SELECT * FROM settle.overdue(NULL)', NULL),
    ('waiting infinity', 'SELECT count(*) FROM settle.waiting(''infinity'')', '22008'),
    ('distribution negative', 'SELECT * FROM settle.distribution_numbers(2027, -1)', '22023'),
    ('distribution 2^31', 'SELECT count(*) FROM settle.distribution_numbers(2027, 2147483647)', NULL),
    ('distribution bad method', 'SELECT * FROM settle.distribution_numbers(2027, 10, ''lottery'')', '22023'),
    ('spread_plan bad profile length', 'SELECT * FROM settle.spread_plan(2027, ''10'', ARRAY[1,2,3])', '2202E'),
    ('spread_plan negative profile', 'SELECT * FROM settle.spread_plan(2027, ''10'', ARRAY[-1,1,1,1,1,1,1,1,1,1,1,1])', '22023'),
    ('spread_plan NaN profile', 'SELECT * FROM settle.spread_plan(2027, ''10'', ARRAY[''NaN'',1,1,1,1,1,1,1,1,1,1,1]::numeric[])', '22023'),
    ('spread_plan all zero profile', 'SELECT * FROM settle.spread_plan(2027, ''10'', ARRAY[0,0,0,0,0,0,0,0,0,0,0,0])', '22023'),
    ('respread unknown municipality', 'SELECT * FROM settle.respread_plan(2027, ''0999'')', NULL),
    ('pause reversed dates', 'SELECT settle.pause(2027, ''0180'', ''2027-05-01'', ''2027-04-01'', ''x'')', '22023'),
    ('pause empty reason', 'SELECT settle.pause(2027, ''0180'', ''2027-04-01'', ''2027-05-01'', '' '')', '23514'),
    ('pause other year', 'SELECT settle.pause(2027, ''0180'', ''2028-04-01'', ''2028-05-01'', ''x'')', '23514'),
    ('quota_status unknown year', 'SELECT * FROM settle.quota_status(1999)', NULL),
    ('audit 2^31', 'SELECT * FROM settle.audit(2147483647)', NULL),
    ('candidates unknown', 'SELECT * FROM settle.candidates(424242)', 'P0002'),
    ('candidates zero max', 'SELECT * FROM settle.candidates(1, ''2027-02-01'', 0)', '22023'),
    ('match unknown mode', 'SELECT * FROM settle.match(2027, ''2027-02-01'', ''lottery'')', '22023'),
    ('match injection mode', 'SELECT * FROM settle.match(2027, ''2027-02-01'', ''optimal''''; DROP TABLE settle.referral; --'')', '22023'),
    ('match NULL year', 'SELECT * FROM settle.match(NULL)', '22004'),
    ('match_summary NULL as_of', 'SELECT * FROM settle.match_summary(2027, NULL)', '22004'),
    ('refer_matches unknown year', 'SELECT settle.refer_matches(1999)', 'P0002'),
    ('proximity unknown', 'SELECT * FROM settle.proximity_cost(''0999'', ''0180'')', NULL),
    ('reception NULL', 'SELECT * FROM settle.reception_per_capita(NULL)', '22004'),
    ('county_report quarter 0', 'SELECT * FROM settle.county_report(2027, 0, ''10'')', '22023'),
    ('waiting_times NULL', 'SELECT * FROM settle.waiting_times(NULL)', '22004'),
    ('fairness out of range', 'SELECT * FROM settle.fairness(99999)', '22023'),
    ('map unknown metric', 'SELECT settle.map_svg(2027, ''x'')', '22023'),
    ('map NULL year', 'SELECT settle.map_svg(NULL)', '22004'),
    ('map NULL style', 'SELECT settle.map_svg(2027, style => NULL)', '22004'),
    ('map unknown county', 'SELECT settle.map_svg(2027, county => ''02'')', '22P02'),
    ('plan chart unknown year', 'SELECT settle.plan_chart_svg(1999)', 'P0002'),
    ('plan chart NULL year', 'SELECT settle.plan_chart_svg(NULL)', '22004'),
    ('waiting chart NULL', 'SELECT settle.waiting_chart_svg(NULL)', '22004'),
    ('county report page NULL quarter', 'SELECT settle.county_report_html(2027, NULL, ''10'')', '22004'),
    ('match_core mismatched', 'SELECT * FROM settle.match_core(''{1,2}'', ''{0}'', ''{0}'', ''{-1}'', ''{1}'', ''{0}'', ''{0}'', ''{f}'', ''{0}'')', '2202E'),
    ('match_core NULL element', 'SELECT * FROM settle.match_core(''{1}'', ''{NULL}'', ''{0}'', ''{-1}'', ''{1}'', ''{0}'', ''{0}'', ''{f}'', ''{0}'')', '2202E'),
    ('match_core bad index', 'SELECT * FROM settle.match_core(''{1}'', ''{7}'', ''{0}'', ''{-1}'', ''{1}'', ''{0}'', ''{0}'', ''{f}'', ''{0}'')', '22023'),
    ('match_core Infinity cost', 'SELECT * FROM settle.match_core(''{1}'', ''{0}'', ''{0}'', ''{-1}'', ''{1}'', ''{0}'', ''{0}'', ''{f}'', ''{Infinity}'')', '22023'),
    ('match_core 2-D array', 'SELECT * FROM settle.match_core(''{{1}}'', ''{0}'', ''{0}'', ''{-1}'', ''{1}'', ''{0}'', ''{0}'', ''{f}'', ''{0}'')', '2202E');

SELECT CASE WHEN sqlstate IS NULL THEN lives_ok(call, what || ': accepted')
            ELSE throws_ok(call, sqlstate, NULL, what || ': ' || sqlstate) END
  FROM corpus ORDER BY what;

SELECT is(pg_temp.everything(), (SELECT sum FROM before), 'nothing was written by any of the bad calls');

-- a reference shaped like SQL injection is stored as it is, and nothing else happens
CREATE TEMP TABLE inj AS SELECT register_household('x''); DELETE FROM settle.referral; --', 'abo', 1, '0180', '2026-01-01') AS id;
SELECT is((SELECT h.ref FROM household h JOIN inj ON inj.id = h.id), 'x''); DELETE FROM settle.referral; --',
          'an injection-shaped reference is just text');
SELECT is((SELECT count(*)::int FROM referral), 1, '... and the referral is still there');

SELECT * FROM finish();
ROLLBACK;

-- test/demo.sql: what settle holds, on the embedded Swedish reference data.
-- Run by test/demo.sh in a throwaway cluster.
CREATE EXTENSION settle;
SET search_path = settle, public;

\echo
\echo 'Sweden in settle: 21 counties (län), 290 municipalities (kommuner), population on 31 Dec 2019'
SELECT c.code AS county, c.letter, c.name,
       count(*) AS municipalities,
       to_char(sum(m.population), 'FM9G999G999') AS population,
       (SELECT m2.name FROM municipality m2 WHERE m2.county = c.code ORDER BY m2.population DESC LIMIT 1) AS largest
  FROM county c JOIN municipality m ON m.county = c.code
 GROUP BY c.code, c.letter, c.name
 ORDER BY c.code;

SELECT count(*) AS municipalities, to_char(sum(population), 'FM99G999G999') AS population,
       (SELECT count(*) FROM neighbour) AS neighbour_pairs
  FROM municipality;

\echo 'Codes are typed and checked:'
SELECT '0180'::kommunkod AS kommunkod, '0180'::kommunkod::lanskod AS lanskod,
       letter('0180'::kommunkod::lanskod) AS letter, 1480::kommunkod AS from_integer,
       round(distance_km('0180', '1480')::numeric, 1) AS stockholm_goteborg_km;

\echo
\echo 'A year of quotas: 2027, a national volume of 5,000 persons'
SET settle.today = '2027-03-31';
\set SHOW_CONTEXT never
INSERT INTO planning_year (year, national_volume, method, decision_ref) VALUES (2027, 5000, 'hamilton', 'Ju2026/04711');
INSERT INTO model_weight (year, factor, weight, description) VALUES
    (2027, 'population', 0.5, 'inhabitants 2019'),
    (2027, 'growth', 0.6, 'population growth 2009-2019 (labour-market proxy)'),
    (2027, 'density', -0.1, 'inhabitants per km2 (crowded housing lowers a share)');
INSERT INTO model_input SELECT 2027, code, 'population', population FROM municipality;
INSERT INTO model_input SELECT 2027, p19.municipality, 'growth', greatest(p19.population - p09.population, 0)
  FROM population p19 JOIN population p09 ON p09.municipality = p19.municipality AND p09.year = 2009 WHERE p19.year = 2019;
INSERT INTO model_input SELECT 2027, code, 'density', round(population / area_km2, 1) FROM municipality WHERE area_km2 IS NOT NULL;

\echo 'County quotas (länstal), decided from the model:'
SELECT q.county, c.name, q.quota, round(p.share * 100, 2) AS share_pct
  FROM decide_county_quotas(2027, 'Ju2026/05000', '2026-12-01') q
  JOIN county c ON c.code = q.county
  JOIN propose_county_quotas(2027) p ON p.county = q.county
 ORDER BY q.county;
SELECT count(*) AS municipal_quotas_decided
  FROM county c, decide_municipal_quotas(2027, c.code, 'Lst-' || c.letter || '-2027-1', '2026-12-15');
SELECT count(*) AS plan_months FROM spread_plan(2027, profile => ARRAY[2,2,2,2,2,2,1,1,1,1,1,1]);

\echo 'Referrals in Blekinge, a revision agreed between Karlskrona and Ronneby, one refused:'
SELECT refer(register_household('MIG-2027-' || g, 'abo', 1 + g % 4, '1080', '2026-10-01'), '1080', '2027-01-10 10:00+01', 'Anv-' || g) AS referral
  FROM generate_series(1, 6) g;
SELECT * FROM revise_quotas(2027, 'Lst-K-2027-17', ARRAY['1080', '1081']::kommunkod[], ARRAY[-4, 4]);
\set ON_ERROR_STOP 0
SELECT * FROM revise_quotas(2027, 'Lst-K-2027-18', ARRAY['1080', '1081']::kommunkod[], ARRAY[-20, 20]);
\set ON_ERROR_STOP 1
SELECT status, received_on FROM receive(1, '2027-02-03');

\echo 'Follow-up of Blekinge on 31 March 2027:'
SELECT level, municipality, name, quota, referred, received, remaining, planned_to_date, fulfilment_pct
  FROM quota_status(2027) WHERE county = '10';

\echo 'The audit (no rows = every rule holds) and the decision log:'
SELECT * FROM audit(2027);
SELECT seal_log() AS sealed_now;
SELECT intact, entries FROM verify_log();

\echo
\echo 'Matching: 300 households waiting in Kronoberg and Kalmar (generated, seeded), proposed by proximity in chronological order:'
SELECT setseed(0.2027);
SELECT count(register_household('DEMO-' || g, CASE WHEN g % 25 = 0 THEN 'quota_refugee' ELSE 'abo' END,
                                1 + floor(random() * random() * 7)::int,
                                CASE WHEN g % 25 = 0 THEN NULL
                                     ELSE (SELECT code FROM municipality WHERE county IN ('07', '08') ORDER BY random() + g * 0 LIMIT 1) END,
                                '2026-09-01'::date + g / 3, CASE WHEN g % 12 = 0 THEN '{accessible_housing}'::text[] ELSE '{}' END,
                                CASE WHEN g % 50 = 7 THEN 'family-' || (g % 150) END)) AS households
  FROM generate_series(1, 300) g;
INSERT INTO capability SELECT 2027, code, 'accessible_housing' FROM municipality WHERE county IN ('07', '08') AND population > 25000;
\echo 'The candidates of the first household in the queue:'
SELECT rank, municipality, (SELECT name FROM municipality WHERE code = c.municipality) AS name, distance_km, remaining, reason
  FROM candidates((SELECT household FROM waiting() WHERE residence IS NOT NULL ORDER BY queue_position LIMIT 1), max_results => 5) c;
\echo 'The proposal, summed per county of residence (a household placed in its own county counts as same_county):'
SELECT coalesce(settle.lanskod(h.residence)::text, 'quota refugees') AS lived_in, count(*) AS households, sum(m.persons) AS persons,
       count(m.municipality) AS placed, count(*) FILTER (WHERE m.same_county) AS same_county,
       round(avg(m.distance_km), 1) AS avg_km, count(*) FILTER (WHERE m.choice_rank > 1) AS not_first_choice
  FROM match(2027) m JOIN household h ON h.id = m.household
 GROUP BY 1 ORDER BY 1;
\echo 'The first ten, with their explanations:'
SELECT household, municipality, persons, distance_km, choice_rank, reason FROM match(2027) LIMIT 10;
\echo 'The same households in optimal mode: the least total proximity cost (persons x km, county penalties included) under the same rules and the chronology rule, with a lower bound no proposal can beat:'
SELECT 'chronological' AS mode, placed, persons_placed, persons_unplaced, proximity_km, objective_km, lower_bound_km, gap_pct
  FROM match_summary(2027)
UNION ALL
SELECT 'optimal', placed, persons_placed, persons_unplaced, proximity_km, objective_km, lower_bound_km, gap_pct
  FROM match_summary(2027, mode => 'optimal');
\echo 'Fair to each household and to the plan (both modes use only the places each municipality planned up to this month):'
SELECT 'chronological' AS mode, passed_over, better_off, worse_off, max_extra_km FROM match_summary(2027)
UNION ALL
SELECT 'optimal', passed_over, better_off, worse_off, max_extra_km FROM match_summary(2027, mode => 'optimal');
SELECT format('In words: the optimal proposal places %s households nearer and %s farther than taking them in turn, the farthest %s km farther; '
              || '%s hard-to-place households are passed over; no municipality gets more than its annual plan allows by the end of %s.',
              better_off, worse_off, max_extra_km, passed_over, to_char(settle.today(), 'FMMonth YYYY')) AS for_the_county_board
  FROM match_summary(2027, mode => 'optimal');
\echo 'Where the optimal proposal differs, the first ten:'
SELECT o.household, c.municipality AS chronological, o.municipality AS optimal, o.persons, o.distance_km, o.reason
  FROM match(2027, mode => 'optimal') o JOIN match(2027) c USING (household)
 WHERE o.municipality IS DISTINCT FROM c.municipality
 ORDER BY o.household LIMIT 10;
\echo 'Committing the optimal proposal:'
SELECT refer_matches(2027, mode => 'optimal') AS referred_now;
SELECT count(*) AS still_waiting FROM waiting();
SELECT * FROM audit(2027);
\echo
\echo 'Follow-up: the quarterly report Blekinge''s county board receives for January-March 2027:'
SELECT level, municipality, name, quota, referred, received, remaining, planned_to_date, deviation, overdue, pauses, fulfilment_pct
  FROM county_report(2027, 1, '10');
\echo 'Reception per 1,000 inhabitants in 2027 so far: the municipalities that received anyone, and the national row (average, and the median of the municipal figures):'
SELECT level, municipality, name, received, population, per_1000, rank, above_median, national_median
  FROM reception_per_capita(2027) WHERE level = 'national' OR received > 0 ORDER BY level DESC, rank, municipality;
\echo 'Lead times from residence permit to referral, hard-to-place households against the rest (category NULL = all):'
SELECT category, hard_to_place, households, referred, to_referral_median, to_referral_p90, to_referral_max, still_waiting
  FROM waiting_times() WHERE category IS NULL;
\echo 'Fairness: were hard-to-place households referred in their turn?'
SELECT month, referred, referred_hard, passed_over_hard, finding FROM fairness(2027) WHERE referred > 0;
\echo 'The map: fulfilment of the kommuntal per municipality (written to a file, see below).'
\pset format unaligned
\pset tuples_only on
\o :mapfile
SELECT map_svg(2027, 'fulfilment');
\o
\pset format aligned
\pset tuples_only off

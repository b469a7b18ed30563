-- Reference data: counts, consistency with the CSV files, constraints, neighbours.
\set data_population `awk -F, 'NR > 1 { s += $4 } END { print s }' src/data/municipalities.csv`
\set data_municipalities `awk 'END { print NR - 1 }' src/data/municipalities.csv`
\set data_pairs `awk 'END { print NR - 1 }' src/data/municipality_neighbours.csv`
\set data_population_rows `awk 'END { print NR - 1 }' src/data/population_1950_2019.csv`
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(30);

SELECT is((SELECT count(*)::int FROM county), 21, '21 counties');
SELECT is((SELECT count(*)::int FROM municipality), 290, '290 municipalities');
SELECT is((SELECT count(*)::int FROM municipality), :data_municipalities, 'as many municipalities as rows in the CSV');
SELECT is((SELECT count(*)::int FROM municipality WHERE county <> code::lanskod), 0, 'every municipality is in its code''s county');
SELECT is((SELECT count(*)::int FROM county c WHERE NOT EXISTS (SELECT 1 FROM municipality m WHERE m.county = c.code)), 0,
          'every county has municipalities');
SELECT is((SELECT sum(population)::bigint FROM municipality), :data_population::bigint,
          'population total equals the CSV''s sum (SCB, 31 Dec 2019)');
SELECT is((SELECT sum(population)::bigint FROM municipality), 10327589::bigint, 'which is SCB''s national total for 2019');
SELECT is((SELECT count(*)::int FROM municipality WHERE edited), 0, 'shipped rows are not marked edited');
SELECT is((SELECT name FROM municipality WHERE code = '1480'), 'Göteborg', '1480 is Göteborg (UTF-8 kept)');
SELECT is((SELECT name FROM county WHERE code = 'O'), 'Västra Götalands län', 'county O');
SELECT is((SELECT count(*)::int FROM municipality WHERE county = '01'), 26, 'Stockholms län has 26 municipalities');
SELECT is((SELECT count(*)::int FROM population), :data_population_rows, 'population history rows as in the CSV');
SELECT is((SELECT count(*)::int FROM municipality m JOIN population p ON p.municipality = m.code AND p.year = m.population_year
           WHERE p.population <> m.population), 0, 'current population agrees with the history');

-- constraints
SELECT throws_ok($$INSERT INTO settle.municipality (code, name, county, population, population_year, lat, lon)
                   VALUES ('0199', 'Nowhere', '03', 1, 2019, 59, 18)$$, '23514', NULL,
                 'a municipality in another county than its code says is refused');
SELECT throws_ok($$INSERT INTO settle.municipality (code, name, county, population, population_year, lat, lon)
                   VALUES ('0199', 'Nowhere', '01', -1, 2019, 59, 18)$$, '23514', NULL, 'negative population refused');
SELECT throws_ok($$INSERT INTO settle.municipality (code, name, county, population, population_year, lat, lon)
                   VALUES ('0199', 'Nowhere', '01', 1, 2019, 91, 18)$$, '23514', NULL, 'latitude out of range refused');
SELECT throws_ok($$DELETE FROM settle.county WHERE code = '01'$$, '23503', NULL, 'a county with municipalities cannot be deleted');
SELECT throws_ok($$UPDATE settle.county SET letter = 'XX' WHERE code = '01'$$, '23514', NULL, 'letter must match the code');
SELECT throws_ok($$INSERT INTO settle.neighbour (a, b) VALUES ('1480', '0180')$$, '23514', NULL, 'pairs are stored with a < b');
SELECT throws_ok($$INSERT INTO settle.neighbour (a, b) VALUES ('0180', '0199')$$, '23503', NULL, 'neighbours must exist');

-- neighbours
SELECT is((SELECT count(*)::int FROM neighbour), :data_pairs, 'as many neighbour pairs as in the CSV');
SELECT is((SELECT count(*)::int FROM neighbours), 2 * :data_pairs, 'the view has both directions');
SELECT is((SELECT count(*)::int FROM neighbours n WHERE NOT EXISTS
              (SELECT 1 FROM neighbours r WHERE r.municipality = n.neighbour AND r.neighbour = n.municipality)), 0,
          'the neighbour relation is symmetric');
SELECT is((SELECT count(*)::int FROM neighbours WHERE municipality = neighbour), 0, 'no municipality neighbours itself');
SELECT is((SELECT array_agg(code ORDER BY code)::text FROM municipality m
            WHERE NOT EXISTS (SELECT 1 FROM neighbours n WHERE n.municipality = m.code)),
          '{0125,0186,0980,1407,1419}', 'exactly the five island municipalities have no land neighbour');
SELECT ok(EXISTS (SELECT 1 FROM neighbours WHERE municipality = '1480' AND neighbour = '1401'), 'Göteborg borders Härryda');
SELECT ok(EXISTS (SELECT 1 FROM neighbours WHERE municipality = '1401' AND neighbour = '1480'), 'and Härryda borders Göteborg');

-- user edits are flagged so pg_dump keeps them
UPDATE municipality SET population = population + 1 WHERE code = '0180';
SELECT ok((SELECT edited FROM municipality WHERE code = '0180'), 'an updated row is marked edited');
SELECT is((SELECT array_agg(c.relname || ': ' || x.cond ORDER BY c.relname)::text
             FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(t, cond)
             JOIN pg_class c ON c.oid = x.t
            WHERE e.extname = 'settle' AND c.relname IN ('county', 'municipality', 'neighbour', 'population')),
          '{"county: WHERE edited","municipality: WHERE edited","neighbour: WHERE edited","population: WHERE edited"}',
          'the four reference tables are registered for pg_dump, edited rows only');
SELECT is((SELECT count(*)::int FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(t, cond)
            WHERE e.extname = 'settle' AND x.cond = 'WHERE edited'),
          11, 'so are the shipped rows of settle.setting, settle.need, settle.reception_category, settle.stream, settle.category_stream, settle.factor_series and settle.factor_value (and nothing else is filtered)');

SELECT * FROM finish();
ROLLBACK;

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

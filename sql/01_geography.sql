-- A first look at settle: Swedish municipality and county codes, the
-- reference data shipped with the extension, and distances.
CREATE EXTENSION settle;
SET search_path = settle, public;

-- Codes are typed: a municipality code knows its county.
SELECT '0180'::kommunkod AS stockholm,
       '0180'::kommunkod::lanskod AS county,
       letter('0180'::kommunkod::lanskod) AS letter;

-- Spreadsheets drop leading zeros; the integer cast pads, the text form refuses to guess.
SELECT 180::kommunkod AS from_integer;
SELECT '180'::kommunkod;
SELECT 'AB'::lanskod AS from_letter, 'bd'::lanskod AS lower_case;
SELECT '0200'::kommunkod;

-- The 21 counties with their municipalities and population (31 Dec 2019).
SELECT c.code, c.letter, c.name, count(*) AS municipalities, sum(m.population) AS population
  FROM county c JOIN municipality m ON m.county = c.code
 GROUP BY c.code, c.letter, c.name
 ORDER BY c.code;

-- Göteborg's neighbours, nearest first.
SELECT n.neighbour, m.name, round(distance_km('1480', n.neighbour)::numeric, 1) AS km
  FROM neighbours n JOIN municipality m ON m.code = n.neighbour
 WHERE n.municipality = '1480'
 ORDER BY km;

-- How far apart are the three largest cities?
SELECT a.name AS from_city, b.name AS to_city, round(distance_km(a.code, b.code)::numeric) AS km
  FROM municipality a JOIN municipality b ON a.code < b.code
 WHERE a.code IN ('0180', '1480', '1280') AND b.code IN ('0180', '1480', '1280')
 ORDER BY km;

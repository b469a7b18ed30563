-- 028_statistics.sql: planner statistics for the shipped reference data.
--
-- The reference tables are filled by CREATE EXTENSION and change rarely;
-- without statistics the planner guesses their sizes from pages (670
-- municipalities instead of 290), and the matching queries built on them
-- looked large enough for JIT compilation, which then cost more than the
-- query.  Analysed here so that the estimates are true from the start.
ANALYZE settle.county, settle.municipality, settle.neighbour, settle.population, settle.factor_value;

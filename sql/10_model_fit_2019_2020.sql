-- The distribution model with evidence, as an analyst would do it: the
-- published länstal of 2019 (SFS 2018:1592, 9,000 persons) and 2020 (SFS
-- 2019:599, 7,100), inputs from the shipped series with the data of two
-- years before each (what was known when the länstal were proposed),
-- population alone first, then weights fitted on 2019 and tested on 2020.
CREATE EXTENSION IF NOT EXISTS settle;
SET search_path = settle, public;
\set SHOW_CONTEXT never
SET settle.today = '2018-06-01';

INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2019, 9000, 'SFS 2018:1592'), (2020, 7100, 'SFS 2019:599');
-- 1. Inputs: population, employed persons (the employment rate times the
--    population) and persons received in own housing in 2018 (EBO).
SELECT y AS year, f.factor, x.municipalities, x.missing, x.population_year
  FROM unnest(ARRAY[2019, 2020]) y
 CROSS JOIN (VALUES ('population', 'population', 'value'), ('employed', 'employment_rate', 'employed'),
                    ('own_housing', 'reception_own_housing', 'value')) f(factor, series, transform)
 CROSS JOIN LATERAL model_input_from(y, f.factor, f.series, CASE WHEN f.series = 'reception_own_housing' THEN 2018 ELSE y - 2 END, f.transform) x
 ORDER BY 1, 2;

-- 2. Population alone: how far each year's proposal is from what was decided (places).
UPDATE model_weight SET weight = CASE factor WHEN 'population' THEN 1 ELSE 0 END;
SELECT year, sum(abs(difference)) AS places_off FROM v_backtest_published GROUP BY year ORDER BY year;
SELECT county, decided, proposed, difference, main_factor, main_factor_places FROM backtest(2019) ORDER BY abs(difference) DESC, county LIMIT 3;

-- 3. Fit on 2019 (sum of absolute differences; EBO may only lower a share),
--    and write the weights as 2020's model: out of sample.
SELECT kind, year, factor, weight, difference AS places_off
  FROM fit_model(ARRAY[2019], ARRAY['population', 'employed', 'own_housing'], signs => ARRAY['+', '+', '-'], write_to => 2020)
 WHERE kind <> 'county';
SELECT county, decided, proposed, difference, share_of_volume, main_factor, main_factor_places FROM backtest(2020) ORDER BY county;
SELECT sum(abs(difference)) AS places_off_2020 FROM backtest(2020);

-- 4. Bad input: a series that does not exist, a transform that does not.
SELECT * FROM model_input_from(2020, 'x', 'no_such_series', 2018);
SELECT * FROM model_input_from(2020, 'x', 'population', 2018, 'sqrt');

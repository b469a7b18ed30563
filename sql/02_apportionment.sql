-- Apportionment: splitting a whole number of persons over counties or
-- municipalities in proportion to weights, exactly and summing to the total.
CREATE EXTENSION IF NOT EXISTS settle;
SET search_path = settle, public;

-- A national volume of 5,000 persons over the 21 counties by population
-- (31 Dec 2019), with the largest-remainder method.  quota is the exact fair
-- share; seats is always its floor or its ceiling under Hamilton.
SELECT a.key AS county, c.name, a.seats, a.quota, a.tie
  FROM apportion(5000,
                 ARRAY(SELECT county::text FROM municipality GROUP BY county ORDER BY county),
                 ARRAY(SELECT sum(population) FROM municipality GROUP BY county ORDER BY county)) a
  JOIN county c ON c.code = a.key::lanskod;

-- The same with each method: the totals always match, the small counties
-- fare differently.
SELECT m AS method, sum(a.seats) AS total, min(a.seats) AS smallest, max(a.seats) AS largest,
       string_agg(a.seats::text, ',' ORDER BY a.key) FILTER (WHERE a.key IN ('08', '09', '23')) AS "H,I,Z"
  FROM unnest(ARRAY['hamilton', 'dhondt', 'sainte_lague', 'huntington_hill', 'adams']) m,
       apportion(5000,
                 ARRAY(SELECT county::text FROM municipality GROUP BY county ORDER BY county),
                 ARRAY(SELECT sum(population) FROM municipality GROUP BY county ORDER BY county), m) a
 GROUP BY m ORDER BY m;

-- Within a county: Blekinge (10) splits 120 persons over its five municipalities
-- with Sweden's modified Sainte-Laguë (first divisor 1.2).
SELECT a.key AS municipality, m.name, a.seats, a.quota
  FROM apportion(120,
                 ARRAY(SELECT code::text FROM municipality WHERE county = '10' ORDER BY code),
                 ARRAY(SELECT population FROM municipality WHERE county = '10' ORDER BY code),
                 'sainte_lague', first_divisor => 1.2) a
  JOIN municipality m ON m.code = a.key::kommunkod;

-- A municipality's quota may not fall below what it has already received:
-- min_seats holds Karlskrona (1080) at 60 although its share is about 50;
-- the others give way in proportion.
SELECT a.key, a.seats, a.quota
  FROM apportion(120,
                 ARRAY(SELECT code::text FROM municipality WHERE county = '10' ORDER BY code),
                 ARRAY(SELECT population FROM municipality WHERE county = '10' ORDER BY code),
                 min_seats => ARRAY[NULL, 60, NULL, NULL, NULL]) a;

-- Persons already living there count towards the fair share (prior): the
-- municipality that already hosts many gets fewer new ones, never fewer than 0.
SELECT a.key, p.prior, a.seats, p.prior + a.seats AS after, a.quota
  FROM apportion(100, ARRAY['A', 'B', 'C'], ARRAY[1, 1, 1], prior => ARRAY[90, 0, 10]) a
  JOIN (VALUES ('A', 90), ('B', 0), ('C', 10)) p(key, prior) USING (key);

-- The Alabama paradox: with Hamilton, growing the house from 10 to 11 takes
-- a seat from C.  Divisor methods never do that.
SELECT h AS house,
       (SELECT string_agg(seats::text, ',') FROM apportion(h, ARRAY['A','B','C'], ARRAY[6,6,2])) AS hamilton,
       (SELECT string_agg(seats::text, ',') FROM apportion(h, ARRAY['A','B','C'], ARRAY[6,6,2], 'sainte_lague')) AS sainte_lague
  FROM generate_series(10, 11) h;

-- A tie decided by input order is flagged.
SELECT * FROM apportion(1, ARRAY['first', 'second'], ARRAY[1, 1]);

-- A JSON object of key: weight works too (rows ordered by key).
SELECT * FROM apportion(7, '{"x": 2.5, "y": 1}'::jsonb, 'sainte_lague', 1.2);

-- Bad input is refused with the argument named.
SELECT * FROM apportion(10, ARRAY['A', 'B'], ARRAY[1, 2, 3]);
SELECT * FROM apportion(10, ARRAY['A', 'A'], ARRAY[1, 2]);
SELECT * FROM apportion(10, ARRAY['A', 'B'], ARRAY[1, -2]);
SELECT * FROM apportion(10, ARRAY['A', 'B'], ARRAY[1, 2], 'lottery');
SELECT * FROM apportion(10, ARRAY['A', 'B'], ARRAY[1, 2], min_seats => ARRAY[8, 8]);
SELECT * FROM apportion(10, ARRAY['A', 'B'], ARRAY[1, 2], 'sainte_lague', first_divisor => 2.5);

CREATE TABLE IF NOT EXISTS rates (currency text PRIMARY KEY, rate numeric NOT NULL);
CREATE TEMP TABLE rates_in (LIKE rates);
\copy rates_in FROM '/work/rates.clean.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO rates SELECT * FROM rates_in
ON CONFLICT (currency) DO UPDATE SET rate = EXCLUDED.rate;

-- Baseline inputs: the window's landing CSVs as delivered, typed by hand, no validation.
--
-- The harness replaces {{files:<feed>}} with the list of the window's files of that feed
-- (the delivery of each day; benchmark data is generated without re-sends) and {{out}}
-- with the output folder. This file runs first, then one <mart>.sql per benchmarked mart,
-- in the same DuckDB connection. Semantics follow regional_econ/transforms/spending.py:
--   * a register (merchants, cardholders) is an upsert per delivery day; an event sees the
--     latest entry delivered on or before its KST day; unknowns get 99999/C99/... (each entry
--     is valid from its delivery day until the key's next delivery: a hash join on the key
--     with the validity as a filter, about twice as fast here as DuckDB's ASOF join)
--   * net amount = approvals minus cancels (a cancel carries the original's merchant).

SET preserve_insertion_order = false;

CREATE TEMP TABLE transactions AS
SELECT card_token, merchant_id, amount_krw, txn_type, policy_fund_cd, local_at, CAST(local_at AS DATE) AS day
FROM (
    SELECT *, timezone('Asia/Seoul', approved_at) AS local_at
    FROM read_csv({{files:kona/transactions}}, header = true, columns = {
        'txn_id': 'VARCHAR', 'approved_at': 'TIMESTAMPTZ', 'card_token': 'VARCHAR', 'merchant_id': 'VARCHAR',
        'amount_krw': 'BIGINT', 'txn_type': 'VARCHAR', 'orig_txn_id': 'VARCHAR', 'channel': 'VARCHAR',
        'policy_fund_cd': 'VARCHAR'})
);

-- Register entries with the day they were delivered (the landing folder), only for the
-- merchants and cards that occur in the window (a semi-join keeps the joins small).
CREATE TEMP TABLE merchants AS
SELECT CAST(regexp_extract(filename, '/(\d{4}-\d{2}-\d{2})/[^/]*$', 1) AS DATE) AS as_of,
       merchant_id, sigungu_cd, category_cd, sales_class
FROM read_csv({{files:kona/merchants}}, header = true, filename = true, all_varchar = true)
WHERE merchant_id IN (SELECT merchant_id FROM transactions);

CREATE TEMP TABLE cardholders AS
SELECT CAST(regexp_extract(filename, '/(\d{4}-\d{2}-\d{2})/[^/]*$', 1) AS DATE) AS as_of,
       card_token, home_sigungu_cd, currency_cd, age_band, gender
FROM read_csv({{files:kona/cardholders}}, header = true, filename = true, all_varchar = true)
WHERE card_token IN (SELECT card_token FROM transactions);

-- Every transaction once, with its KST day, month, weekday and hour and its merchant's and card's attributes.
CREATE TEMP TABLE tx AS
SELECT t.day,
       CAST(date_trunc('month', t.day) AS DATE) AS month,
       CAST(isodow(t.local_at) AS TINYINT) AS day_of_week,
       CAST(hour(t.local_at) AS TINYINT) AS hour,
       t.card_token, t.merchant_id, t.amount_krw, t.txn_type, t.policy_fund_cd,
       CASE WHEN t.txn_type = 'CANCEL' THEN -t.amount_krw ELSE t.amount_krw END AS signed_krw,
       coalesce(m.sigungu_cd, '99999') AS sigungu_cd,
       coalesce(m.category_cd, 'C99') AS category_cd,
       coalesce(m.sales_class, 'unknown') AS sales_class,
       coalesce(c.home_sigungu_cd, '99999') AS home_sigungu_cd,
       coalesce(c.currency_cd, '99999') AS currency_cd,
       coalesce(c.age_band, 'unknown') AS age_band,
       coalesce(c.gender, 'U') AS gender
FROM transactions t
LEFT JOIN (SELECT *, lead(as_of) OVER (PARTITION BY merchant_id ORDER BY as_of) AS until FROM merchants) m
    ON t.merchant_id = m.merchant_id AND t.day >= m.as_of AND (m.until IS NULL OR t.day < m.until)
LEFT JOIN (SELECT *, lead(as_of) OVER (PARTITION BY card_token ORDER BY as_of) AS until FROM cardholders) c
    ON t.card_token = c.card_token AND t.day >= c.as_of AND (c.until IS NULL OR t.day < c.until);

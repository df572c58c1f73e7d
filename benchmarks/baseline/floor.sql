-- The floor: read the window's transaction CSVs and sum one column (what any reader must pay).
SELECT sum(amount_krw) AS amount_krw
FROM read_csv({{files:kona/transactions}}, header = true, columns = {
    'txn_id': 'VARCHAR', 'approved_at': 'VARCHAR', 'card_token': 'VARCHAR', 'merchant_id': 'VARCHAR',
    'amount_krw': 'BIGINT', 'txn_type': 'VARCHAR', 'orig_txn_id': 'VARCHAR', 'channel': 'VARCHAR',
    'policy_fund_cd': 'VARCHAR'});

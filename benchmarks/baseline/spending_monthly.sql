-- marts/spending_monthly: month x merchant si/gun/gu x category.
-- Net amount, approvals, cancels, distinct cards and merchants, and the largest merchant's
-- share of the cell's approved amount (null when the cell has no approval).
COPY (
    WITH totals AS (
        SELECT month, sigungu_cd, category_cd,
               CAST(sum(signed_krw) AS BIGINT) AS net_amount_krw,
               count(*) FILTER (WHERE txn_type = 'APPROVE') AS approvals,
               count(*) FILTER (WHERE txn_type = 'CANCEL') AS cancels,
               count(DISTINCT card_token) AS cards,
               count(DISTINCT merchant_id) AS merchants
        FROM tx
        GROUP BY month, sigungu_cd, category_cd
    ), by_merchant AS (
        SELECT month, sigungu_cd, category_cd, max(approved) / sum(approved) AS top_merchant_share
        FROM (
            SELECT month, sigungu_cd, category_cd, merchant_id, sum(amount_krw) AS approved
            FROM tx WHERE txn_type = 'APPROVE'
            GROUP BY ALL
        )
        GROUP BY month, sigungu_cd, category_cd
    )
    SELECT month, sigungu_cd, category_cd, net_amount_krw, approvals, cancels, cards, merchants, top_merchant_share
    FROM totals LEFT JOIN by_merchant USING (month, sigungu_cd, category_cd)
    ORDER BY month, sigungu_cd, category_cd
) TO '{{out}}/spending_monthly.parquet' (FORMAT parquet, COMPRESSION zstd);

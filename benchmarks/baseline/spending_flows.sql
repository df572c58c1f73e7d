-- marts/spending_flows: month x cardholder's home si/gun/gu x merchant si/gun/gu.
-- Net amount, approvals, cancels, distinct cards and merchants, and the largest merchant's
-- and second merchant's and the largest card's shares of the cell's approved amount (null without approvals).
COPY (
    WITH totals AS (
        SELECT month, home_sigungu_cd, sigungu_cd AS merchant_sigungu_cd,
               CAST(sum(signed_krw) AS BIGINT) AS net_amount_krw,
               count(*) FILTER (WHERE txn_type = 'APPROVE') AS approvals,
               count(*) FILTER (WHERE txn_type = 'CANCEL') AS cancels,
               count(DISTINCT card_token) AS cards,
               count(DISTINCT merchant_id) AS merchants
        FROM tx
        GROUP BY month, home_sigungu_cd, merchant_sigungu_cd
    ), by_merchant AS (
        SELECT month, home_sigungu_cd, merchant_sigungu_cd, sum(approved) AS approved_amount_krw,
               max(approved) / sum(approved) AS top_merchant_share,
               coalesce(list_sort(list(approved), 'DESC')[2], 0) / sum(approved) AS second_merchant_share
        FROM (
            SELECT month, home_sigungu_cd, sigungu_cd AS merchant_sigungu_cd, merchant_id, sum(amount_krw) AS approved
            FROM tx WHERE txn_type = 'APPROVE'
            GROUP BY ALL
        )
        GROUP BY month, home_sigungu_cd, merchant_sigungu_cd
    ), by_card AS (
        SELECT month, home_sigungu_cd, merchant_sigungu_cd, max(approved) / sum(approved) AS top_card_share
        FROM (
            SELECT month, home_sigungu_cd, sigungu_cd AS merchant_sigungu_cd, card_token, sum(amount_krw) AS approved
            FROM tx WHERE txn_type = 'APPROVE'
            GROUP BY ALL
        )
        GROUP BY month, home_sigungu_cd, merchant_sigungu_cd
    ), moved AS (
        -- merchants also in another cell along their own attributes that month (re-registered)
        SELECT month, home_sigungu_cd, merchant_sigungu_cd, CAST(count(*) FILTER (WHERE placements > 1) AS BIGINT) AS moved_merchants
        FROM (SELECT DISTINCT month, home_sigungu_cd, sigungu_cd AS merchant_sigungu_cd, merchant_id FROM tx)
        JOIN (
            SELECT month, merchant_id, count(*) AS placements
            FROM (SELECT DISTINCT month, merchant_id, sigungu_cd AS merchant_sigungu_cd FROM tx)
            GROUP BY ALL
        ) USING (month, merchant_id)
        GROUP BY ALL
    )
    SELECT month, home_sigungu_cd, merchant_sigungu_cd, net_amount_krw, approvals, cancels, cards, merchants,
           coalesce(approved_amount_krw, 0) AS approved_amount_krw, top_merchant_share, second_merchant_share,
           top_card_share, coalesce(moved_merchants, 0) AS moved_merchants
    FROM totals LEFT JOIN by_merchant USING (month, home_sigungu_cd, merchant_sigungu_cd)
        LEFT JOIN by_card USING (month, home_sigungu_cd, merchant_sigungu_cd)
        LEFT JOIN moved USING (month, home_sigungu_cd, merchant_sigungu_cd)
    ORDER BY month, home_sigungu_cd, merchant_sigungu_cd
) TO '{{out}}/spending_flows.parquet' (FORMAT parquet, COMPRESSION zstd);

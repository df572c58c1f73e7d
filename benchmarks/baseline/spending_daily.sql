-- marts/spending_daily: day x merchant si/gun/gu x category.
COPY (
    SELECT date, sigungu_cd, category_cd, net_amount_krw, approvals, cancels, cards, merchants,
           CASE WHEN approvals > 0 THEN (2 * approved_krw + approvals) // (2 * approvals) END AS avg_ticket_krw
    FROM (
        SELECT day AS date, sigungu_cd, category_cd,
               CAST(sum(signed_krw) AS BIGINT) AS net_amount_krw,
               count(*) FILTER (WHERE txn_type = 'APPROVE') AS approvals,
               count(*) FILTER (WHERE txn_type = 'CANCEL') AS cancels,
               count(DISTINCT card_token) AS cards,
               count(DISTINCT merchant_id) AS merchants,
               CAST(coalesce(sum(amount_krw) FILTER (WHERE txn_type = 'APPROVE'), 0) AS BIGINT) AS approved_krw
        FROM tx
        GROUP BY day, sigungu_cd, category_cd
    )
    ORDER BY date, sigungu_cd, category_cd
) TO '{{out}}/spending_daily.parquet' (FORMAT parquet, COMPRESSION zstd);

-- Data quality: the rejected lines of every blocked file (over the quarantine threshold, neither
-- accepted nor superseded yet): what an operator reads before correcting or accepting the file.
-- Line, column and reason only; the rejected values are not published.
with blocked as (
    select file_id, path, entity, extract_date, rows_read, rows_quarantined
    from {{ source('ops', 'ledger') }}
    where status = 'blocked'
)

select
    blocked.file_id,
    blocked.path,
    blocked.entity,
    blocked.extract_date,
    blocked.rows_read,
    blocked.rows_quarantined,
    q.line,
    coalesce(q.column_name, '(hele rækken)') as column_name,
    q.reason,
    coalesce(r.name_da, q.reason) as reason_da
from blocked
inner join {{ source('ops', 'quarantine') }} as q using (file_id)
left join {{ ref('ref_dq_koder') }} as r on q.reason = r.code

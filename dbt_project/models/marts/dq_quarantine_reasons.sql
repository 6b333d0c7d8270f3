-- Data quality: rejected rows per file, column and reason (values are not published).
select
    l.entity,
    q.path,
    case
        when q.line is null then '(hele filen)'
        else coalesce(q.column_name, '(hele rækken)')
    end as column_name,
    q.reason,
    coalesce(r.name_da, q.reason) as reason_da,
    count(*) as rejected
from {{ source('ops', 'quarantine') }} as q
left join {{ source('ops', 'ledger') }} as l using (file_id)
left join {{ ref('ref_dq_koder') }} as r on q.reason = r.code
group by all

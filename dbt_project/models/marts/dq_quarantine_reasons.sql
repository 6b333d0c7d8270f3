-- Data quality: rejected rows per file, column and reason (values are not published).
select
    l.entity,
    q.path,
    coalesce(q.column_name, '(hele filen)') as column_name,
    q.reason,
    count(*) as rejected
from {{ source('ops', 'quarantine') }} as q
left join {{ source('ops', 'ledger') }} as l using (file_id)
group by all

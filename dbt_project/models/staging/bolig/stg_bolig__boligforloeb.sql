select
    boligforloeb_id as stay_id,
    cpr_pseudonym as person_id,
    kommunekode as municipality_code,
    boligtype as housing_type,
    indflytning as move_in_date,
    fraflytning as move_out_date,
    fraflytningsaarsag as move_out_reason,
    huslejetilskud_kr_md as rent_subsidy_dkk_month
from {{ as_of_reference_date('boligforloeb', ['boligforloeb_id']) }} as rows_as_of
where not coalesce(slettet, false)

-- Every (r, f) pair of the 5 x 5 grid falls in exactly one RFM segment of the seed: no gap, no overlap.
with scores as (
    select score from (values (1), (2), (3), (4), (5)) as grid (score)
),

pairs as (
    select
        r.score as r_score,
        f.score as f_score
    from scores as r
    cross join scores as f
),

matches as (
    select
        pairs.r_score,
        pairs.f_score,
        count(segments.rfm_segment) as segments_matched
    from pairs
    left join {{ ref('rfm_segments') }} as segments
        on
            pairs.r_score between segments.r_min and segments.r_max
            and pairs.f_score between segments.f_min and segments.f_max
    group by
        pairs.r_score,
        pairs.f_score
)

select * from matches
where segments_matched != 1

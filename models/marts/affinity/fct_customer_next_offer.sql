-- Up to next_offer_count offers per buyer: products they have never bought that go with a product
-- they bought in the basket window (one of that product's next_offer_pairs_per_item pairs of the
-- highest lift in fct_product_pairs, with lift above next_offer_min_lift),
-- best lift first, each with the bought product and the pair's confidence that support it; then,
-- where fewer products qualify, categories they have never bought, likewise from fct_category_pairs
-- (not the category 'unknown' of lines without one).
with basket_lines as (
    select * from {{ ref('int_basket_lines') }}
),

lines as (
    select * from {{ ref('int_order_lines_valid') }}
),

product_pairs as (
    select * from {{ ref('fct_product_pairs') }}
),

category_pairs as (
    select * from {{ ref('fct_category_pairs') }}
),

ever_bought as (
    select distinct
        customer_id,
        'product' as offer_type,
        product_id as item
    from lines
    where product_id is not null

    union all

    select distinct
        customer_id,
        'category' as offer_type,
        category as item
    from lines
),

anchors as (
    select distinct
        customer_id,
        'product' as offer_type,
        product_id as item
    from basket_lines

    union all

    select distinct
        customer_id,
        'category' as offer_type,
        category as item
    from basket_lines
),

directed_pairs as (
    {%- for kind in ['product', 'category'] %}
    select
        '{{ kind }}' as offer_type,
        {{ kind }}_a as anchor,
        {{ kind }}_b as offer,
        confidence_a_to_b as confidence,
        lift
    from {{ kind }}_pairs

    union all

    select
        '{{ kind }}' as offer_type,
        {{ kind }}_b as anchor,
        {{ kind }}_a as offer,
        confidence_b_to_a as confidence,
        lift
    from {{ kind }}_pairs
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

strongest_pairs as (
    -- each item's next_offer_pairs_per_item pairs of the highest lift: a customer needs only a few
    -- offers, and this bounds the candidates by customers x items bought x this number (Online
    -- Retail: 105 million candidate rows without it)
    select *
    from (
        select
            *,
            row_number() over (
                partition by offer_type, anchor
                order by lift desc, confidence desc, offer asc
            ) as pair_rank
        from directed_pairs
        where
            lift > {{ var('next_offer_min_lift') }}
            -- lines without a category are not an offer, nor a reason for one
            and not (offer_type = 'category' and 'unknown' in (offer, anchor))
    ) as ranked_pairs
    where pair_rank <= {{ var('next_offer_pairs_per_item') }}
),

candidates as (
    select
        anchors.customer_id,
        directed_pairs.offer_type,
        directed_pairs.offer,
        directed_pairs.anchor,
        directed_pairs.confidence,
        directed_pairs.lift,
        row_number() over (
            partition by anchors.customer_id, directed_pairs.offer_type, directed_pairs.offer
            order by directed_pairs.lift desc, directed_pairs.confidence desc, directed_pairs.anchor asc
        ) as anchor_rank
    from anchors
    inner join strongest_pairs as directed_pairs
        on
            anchors.offer_type = directed_pairs.offer_type
            and anchors.item = directed_pairs.anchor
    left join ever_bought
        on
            anchors.customer_id = ever_bought.customer_id
            and directed_pairs.offer_type = ever_bought.offer_type
            and directed_pairs.offer = ever_bought.item
    where ever_bought.item is null
),

ranked as (
    select
        customer_id,
        offer_type,
        offer,
        anchor,
        confidence,
        lift,
        row_number() over (
            partition by customer_id
            order by case when offer_type = 'product' then 1 else 2 end, lift desc, confidence desc, offer asc
        ) as offer_rank
    from candidates
    where anchor_rank = 1
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select
        as_of.as_of_date,
        ranked.customer_id,
        cast(ranked.offer_rank as integer) as offer_rank,
        ranked.offer_type,
        ranked.offer,
        ranked.anchor as bought_item,
        ranked.confidence,
        ranked.lift
    from ranked
    cross join as_of
    where ranked.offer_rank <= {{ var('next_offer_count') }}
)

select * from final

-- One row per customer at the as-of date: purchase level, engagement score and level, loyalty cell and tier.
{{ loyalty_segmentation(ref('int_customer_facts'), ref('fct_customer_value')) }}

-- One row per buyer at the as-of date: recency, frequency, monetary, their 1-5 scores and segment.
{{ rfm_segmentation(ref('int_customer_facts')) }}

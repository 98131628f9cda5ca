{{ quarantined_rows('order_items') }}

{{ quarantined_rows('order_items', net_amount='line_amount') }}

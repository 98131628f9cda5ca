{{ quarantined_rows('orders') }}

{{ quarantined_rows('orders', net_amount='amount - refund_amount') }}

{{ quarantined_rows('customers') }}

{{ quarantined_rows('customer_identities') }}

{{ quarantined_rows('fx_rates') }}

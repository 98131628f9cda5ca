{{ quarantined_rows('feedback') }}

{{ quarantined_rows('engagement_events') }}

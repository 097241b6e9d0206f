"""Email as a channel: messages written before they are sent, templates with merge fields,
sending through Django's email backends (anymail or SMTP in production, a local sink in
`make run`), suppression and consent, rate limits, tracking into touches, campaign sends
and sequence email steps (docs/architecture.md, "Email")."""

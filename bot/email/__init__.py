"""Email for agencies not in the partnership's Slack: what an email says (compose), the SMTP relay that takes it
(relay), and the outbox that owes, claims, sends and records each one (outbox), as the Slack outbox does."""

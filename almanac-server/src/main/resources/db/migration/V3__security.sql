-- Security (issue 5): users, api_tokens and audit_events exist since V1; this adds what logins and the audit
-- queries need.

-- How the actor proved who they were: 'password', 'session', or 'token:<name>'.
ALTER TABLE audit_events ADD COLUMN via VARCHAR(120);
CREATE INDEX ix_audit_events_action ON audit_events (action, occurred_at DESC);
CREATE INDEX ix_audit_events_target_name ON audit_events (target_name, occurred_at DESC);

-- Token lists are per user, newest first; revoked and expired tokens stay listed until deleted with the user.
CREATE INDEX ix_api_tokens_user_created ON api_tokens (user_id, created_at DESC);

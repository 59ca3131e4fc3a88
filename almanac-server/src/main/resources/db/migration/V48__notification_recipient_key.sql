-- The recipient as shown (an e-mail address, a webhook cut to its host) cannot tell two webhooks on one host apart;
-- incident suppression compares this key instead: the SHA-256 of the whole recipient, so the secret URL is not stored.
-- Attempts recorded before it have none and are compared by their shown form, as they were.
ALTER TABLE notification_attempts ADD COLUMN recipient_key VARCHAR(64);

-- Issue #23: the template version a job's parameters were last validated against, and why they no longer validate
-- against the installed template (NULL while they do). Jobs saved before versions existed were validated against "1".
ALTER TABLE jobs ADD COLUMN template_version VARCHAR(32) DEFAULT '1';
ALTER TABLE jobs ADD COLUMN invalid_reason VARCHAR(2000);

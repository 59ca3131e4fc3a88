-- Issue #20: the namespace a user last picked in the UI's header, kept per user across sessions and nodes. Null: all
-- the namespaces the user may see. A deleted namespace leaves its users on "all".
ALTER TABLE users ADD COLUMN current_namespace VARCHAR(63);
ALTER TABLE users ADD CONSTRAINT fk_users_current_namespace
    FOREIGN KEY (current_namespace) REFERENCES namespaces (name) ON DELETE SET NULL;

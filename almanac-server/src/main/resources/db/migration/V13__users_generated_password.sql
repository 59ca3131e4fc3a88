-- The first super admin's generated password is printed once in the log; until its owner changes it, the UI asks
-- them to (AdminBootstrap, PasswordPages). Any later password change clears the flag.
ALTER TABLE users ADD COLUMN password_generated BOOLEAN DEFAULT FALSE NOT NULL;

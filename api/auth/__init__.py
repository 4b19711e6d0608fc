"""Sign-in: passwords, TOTP, app passwords, sessions, throttling and the unlock cache."""

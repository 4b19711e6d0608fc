"""Copying mail from another provider's IMAP server into an account, through JMAP."""

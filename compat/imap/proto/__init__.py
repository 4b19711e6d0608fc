"""The IMAP wire grammar (RFC 9051 9): commands in, response text out; no mail, no I/O."""

"""SMTP (RFC 5321): the inbound MX and authenticated submission (RFC 6409, RFC 8314)."""

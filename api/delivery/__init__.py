"""Outbound delivery (RFC 5321 5, 4.5.4): the queue sender, DKIM signing and bounces (RFC 3464)."""

"""Mail delivery beyond the domain core: inbound sender checks (SPF, DKIM, DMARC), and the
outbound queue sender with DKIM signing and bounces (RFC 5321 5, RFC 3464)."""

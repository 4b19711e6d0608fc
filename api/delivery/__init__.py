"""Mail delivery beyond the domain core: inbound sender checks (SPF, DKIM, DMARC) and outbound."""

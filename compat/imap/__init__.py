"""IMAP4rev2 (RFC 9051) for IMAP4rev1 (RFC 3501) clients too, as a client of the JMAP layer."""

"""RFC 5322/2045 message parsing into the JMAP Email representation (RFC 8621 4).

Pure functions over bytes: no database, no HTTP, no key material. `email_view.parse_email`
is the entry point; the other modules are its steps.
"""

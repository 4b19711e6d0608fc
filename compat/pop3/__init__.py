"""POP3 (RFC 1939) over the in-process JMAP caller: the Inbox as a maildrop."""

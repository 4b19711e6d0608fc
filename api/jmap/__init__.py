"""The JMAP protocol layer (RFC 8620): wire shapes, dispatcher, result references, errors,
the Session resource and the in-process caller used by the compat servers."""

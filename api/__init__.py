"""Sealbox: a JMAP-first mail host whose mail is encrypted at rest."""

__version__ = "0.1.0"

"""Persistence: SQLAlchemy models and queries; the only package that knows SQL."""

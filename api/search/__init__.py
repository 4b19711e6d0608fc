"""The encrypted full-text index of each unlocked account (DESIGN.md, Keys: Search)."""

"""Shared test support: real servers, real CLI runs, real databases."""

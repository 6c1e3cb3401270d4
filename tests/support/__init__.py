"""Test helpers: imported by tests and fixtures, never by product code (import-linter checks it)."""

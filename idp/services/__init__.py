"""State changes and queries that views and commands call: plain functions on a Session."""

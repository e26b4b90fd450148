"""Faults, partial batches, concurrency, secrets, and hostile servers."""

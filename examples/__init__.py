"""Runnable examples; each runs as it is against the embedded fake."""

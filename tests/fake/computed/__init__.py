"""The fake's computed and formula attributes: controls, aggregations, read-only rules."""

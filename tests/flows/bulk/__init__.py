"""Bulk imports of people and companies against the fake."""

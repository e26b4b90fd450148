"""Seeding the fake: all or nothing, contacts, keys; bad seeds are typed errors."""

"""The fake's persons endpoints: create, read, update, batch, upsert, merge, filters."""

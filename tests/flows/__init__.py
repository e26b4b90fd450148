"""The client and the fake end to end: user workflows, bulk imports, fixtures."""

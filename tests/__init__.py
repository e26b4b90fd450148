"""The test suite; each folder holds one kind of test (see tests/README.md)."""

"""The command line, docs, examples, README, benchmarks smoke run, type checking."""

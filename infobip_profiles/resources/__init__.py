"""Resource clients, one module per API area."""

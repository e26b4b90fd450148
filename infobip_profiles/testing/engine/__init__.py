"""The fake's engines: state and semantics, no HTTP. One module per resource family."""

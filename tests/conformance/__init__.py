"""Against the API spec: the validator, Prism, schemathesis, verify, coverage page."""

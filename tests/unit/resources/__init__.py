"""Each resource's requests and the decoding of its answers, one file per resource."""

"""The client against a raw loopback server that misbehaves on purpose."""

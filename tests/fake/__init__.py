"""The fake's own behaviour, on the wire: in-process and over loopback HTTP."""

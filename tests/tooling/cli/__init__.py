"""The ``infobip-profiles`` command line against a served fake."""

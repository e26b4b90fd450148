"""Helpers shared by several test modules: ``from tests._support.<module> import ...``.

``tests/`` and each folder in it are packages, so test modules are named by their folder
(``tests.unit.test_tags``, ``tests.fake.test_tags``) and may share a file name.
"""

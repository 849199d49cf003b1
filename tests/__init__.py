"""LeerID test suite."""

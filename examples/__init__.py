"""Example applications that use LeerID; `leerid demo` serves the learning app."""

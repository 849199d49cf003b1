"""Web pages and endpoints of the identity provider."""

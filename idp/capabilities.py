"""What LeerID's OpenID provider offers, stated once.

The client authentication methods and the signing algorithms are read from here by the
models (database constraints), client registration, the grants and endpoints, and the
discovery document. This module imports nothing of LeerID, so that every layer may read it.
"""

from __future__ import annotations

# Client authentication at the token endpoint (OpenID Connect Core §9; RFC 7591 §2 names).
# "none" is a public client, which only identifies itself (RFC 6749 §2.1, RFC 8252 §8.4).
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")
# The methods that prove a shared secret (RFC 6749 §2.3.1): registration issues a secret.
SECRET_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
# Which methods each endpoint accepts, by Authlib's endpoint name. A public client may revoke
# its own tokens (RFC 7009 §5), but only an authenticated client may introspect (RFC 7662 §2.1).
ENDPOINT_AUTH_METHODS = {
    "token": CLIENT_AUTH_METHODS,
    "revocation": CLIENT_AUTH_METHODS,
    "introspection": tuple(m for m in CLIENT_AUTH_METHODS if m != "none"),
}

# ID token signing (our keys, Core §10.1) and client assertion signing (RFC 7523 §3).
SIGNING_ALGORITHMS = ("RS256", "ES256")

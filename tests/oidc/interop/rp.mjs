// An independent, certified relying party (panva's openid-client) against a running LeerID.
// Input: JSON in the RP_CONFIG environment variable. Output: one JSON object on stdout with
// what the library saw; the Python test asserts on it. Any library error ends with exit 1.
import * as client from "openid-client";

const cfg = JSON.parse(process.env.RP_CONFIG);
const jar = new Map();

async function browse(url, init = {}) {
  // A tiny browser: keeps cookies, never follows redirects by itself.
  const headers = new Headers(init.headers || {});
  if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const at = pair.indexOf("=");
    jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return response;
}

function absolute(location) {
  return new URL(location, cfg.issuer).href;
}

async function signInAndGetCallback(authorizationUrl) {
  // Follow LeerID's redirects like a browser, filling in the login form when it appears.
  let response = await browse(authorizationUrl);
  for (let hops = 0; hops < 10; hops += 1) {
    if (response.status !== 302 && response.status !== 303) {
      throw new Error(`unexpected ${response.status} at hop ${hops}: ${await response.text()}`);
    }
    const location = absolute(response.headers.get("location"));
    if (location.startsWith(cfg.redirect_uri)) return location;
    // The login asks for the username first, then (on its own page) for the password.
    const step = { "/login": { username: cfg.username }, "/login/password": { password: cfg.password } };
    const fields = step[new URL(location).pathname];
    if (fields) {
      const page = await (await browse(location)).text();
      const csrf = page.match(/name="csrf_token" type="hidden" value="([^"]+)"/)[1];
      const form = new URLSearchParams({ csrf_token: csrf, ...fields });
      response = await browse(location, { method: "POST", body: form });
      continue;
    }
    response = await browse(location);
  }
  throw new Error("too many redirects");
}

async function authentication() {
  switch (cfg.auth_method) {
    case "client_secret_basic":
      return client.ClientSecretBasic(cfg.client_secret);
    case "client_secret_post":
      return client.ClientSecretPost(cfg.client_secret);
    case "none":
      return client.None();
    case "private_key_jwt": {
      const key = await crypto.subtle.importKey(
        "jwk", cfg.private_jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"],
      );
      return client.PrivateKeyJwt({ key, kid: cfg.private_jwk.kid });
    }
    default:
      throw new Error(`unknown auth method ${cfg.auth_method}`);
  }
}

const result = {};
const config = await client.discovery(
  new URL(cfg.issuer), cfg.client_id, undefined, await authentication(),
  { execute: [client.allowInsecureRequests] },
);

async function logIn() {
  // One authorization code flow with fresh PKCE, state and nonce. The library checks
  // state, iss (RFC 9207), PKCE, and the ID token's signature and claims.
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: cfg.redirect_uri,
    scope: cfg.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const callback = await signInAndGetCallback(url.href);
  return client.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  });
}

const tokens = await logIn();
const claims = tokens.claims();
result.id_token_claims = claims;
result.scope = tokens.scope;
result.userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
result.refresh_rotated = refreshed.refresh_token !== tokens.refresh_token;
result.userinfo_after_refresh = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
try {
  await client.refreshTokenGrant(config, tokens.refresh_token);
  result.reuse_error = null;
} catch (error) {
  result.reuse_error = error.error ?? error.code ?? String(error);
}

// A fresh chain for introspection and revocation (the reuse above revoked the old one).
const second = await logIn();
if (cfg.auth_method !== "none") {
  result.introspection = await client.tokenIntrospection(config, second.access_token);
}
await client.tokenRevocation(config, second.refresh_token);
if (cfg.auth_method !== "none") {
  result.introspection_after_revocation = await client.tokenIntrospection(config, second.access_token);
}
try {
  await client.refreshTokenGrant(config, second.refresh_token);
  result.refresh_after_revocation = "accepted";
} catch (error) {
  result.refresh_after_revocation = error.error ?? String(error);
}

// RP-initiated logout: the browser visits the end-session URL the library builds.
const logoutState = client.randomState();
const endSession = client.buildEndSessionUrl(config, {
  id_token_hint: second.id_token,
  post_logout_redirect_uri: cfg.post_logout_redirect_uri,
  state: logoutState,
});
const logout = await browse(endSession.href);
result.logout_status = logout.status;
result.logout_location = logout.headers.get("location");
result.logout_state = logoutState;
result.sid = second.claims().sid;
const again = await browse(client.buildAuthorizationUrl(config, {
  redirect_uri: cfg.redirect_uri, scope: cfg.scope, state: "x", nonce: client.randomNonce(),
  code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
  code_challenge_method: "S256",
}).href);
result.after_logout_location = again.headers.get("location");

process.stdout.write(JSON.stringify(result));

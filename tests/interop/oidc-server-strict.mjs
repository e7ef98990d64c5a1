// A strict panva/oidc-provider on loopback for interoperability tests of sender-constrained
// tokens, strong client authentication and extra grants: DPoP with server nonces (RFC 9449),
// required PAR (RFC 9126), private_key_jwt and client_secret_jwt (RFC 7523 §2.2), mTLS client
// authentication and certificate-bound tokens (RFC 8705), token exchange (RFC 8693), the JWT
// bearer grant (RFC 7523 §2.1), a client registered only with a `localhost` redirect URI, and a
// DPoP-protected resource server. The lenient provider for plain logins is oidc-server.mjs.
//
// Environment (every port on 127.0.0.1; tests pass free ports):
//   PORT          the issuer http://127.0.0.1:PORT (required)
//   FIXTURE_DIR   an existing directory the fixture writes its key material and fixture.json
//                 into (required; a test's temporary directory)
//   RS_PORT       the resource server's port (default: any free port; it is printed)
//   MTLS_PORT     enables mTLS: an https listener on this port with the provider's mTLS
//                 endpoint aliases (RFC 8705 §5) and the resource server, plus the mTLS clients.
//                 Needs the `openssl` command to make the certificates.
//   REQUIRE_PAR   "0" makes PAR optional (default: required for every client, and the discovery
//                 document says require_pushed_authorization_requests: true)
//   RS_TOKEN_FORMAT  "jwt" (default) or "opaque": the format of access tokens issued for the
//                 resource `urn:oauthctl:api` (JWT access tokens cannot be introspected or revoked
//                 at oidc-provider; opaque ones can)
//
// Stdout, one line each, "listening on" last (read lines until it appears):
//   resource on http://127.0.0.1:RS_PORT/api/resource
//   mtls on https://127.0.0.1:MTLS_PORT                      (only with MTLS_PORT)
//   listening on http://127.0.0.1:PORT
//
// Files written to FIXTURE_DIR:
//   fixture.json            everything below in one document (issuer, URLs, clients, file names)
//   client-es256.pem, client-rs256.pem, client-ed25519.pem
//                           PKCS#8 private keys whose public keys are registered (kid "es256",
//                           "rs256", "ed25519") for the private_key_jwt clients and trusted for
//                           their JWT bearer assertions
//   ca.pem                  with MTLS_PORT: the CA of the https listener and of mtls-client.pem
//   mtls-client.pem/.key    with MTLS_PORT: CA-issued client certificate, subject CN=oauthctl-mtls
//   mtls-self.pem/.key      with MTLS_PORT: self-signed client certificate (registered as x5c)
//
// Clients (scopes: openid profile email offline_access api:read):
//   oauthctl-dpop       public native client (loopback redirect /callback, any port); code + PKCE,
//                       refresh, device code; DPoP-bound tokens required
//   oauthctl-pkjwt      private_key_jwt; code, refresh, client credentials, token exchange, JWT
//                       bearer; DPoP-bound tokens required
//   oauthctl-agent      private_key_jwt, no DPoP requirement; client credentials, token
//                       exchange, JWT bearer
//   oauthctl-csjwt      client_secret_jwt with secret CSJWT_SECRET below; code, refresh, client
//                       credentials, token exchange
//   oauthctl-localhost  public native client registered only with
//                       http://localhost:8765/oauth/cb (oidc-provider allows any port for a
//                       native client's loopback redirect URI, the host and path must match)
//   oauthctl-mtls       (MTLS_PORT) tls_client_auth, subject CN=oauthctl-mtls; certificate-bound
//                       tokens; code, refresh, client credentials
//   oauthctl-mtls-self  (MTLS_PORT) self_signed_tls_client_auth; certificate-bound tokens;
//                       client credentials
//
// DPoP: every proof must carry a server nonce (the first proof gets `use_dpop_nonce` and a
// DPoP-Nonce header). The provider's nonce is one value for all of its endpoints; the resource
// server has its own nonces. Any login name is accepted on the built-in login page; the
// password is ignored.
//
// oidc-provider behaviour a client must cope with here:
//   - a DPoP-bound client without a proof gets a plain invalid_grant (nothing says "DPoP");
//   - use_dpop_nonce is a 400 JSON error at the token and PAR endpoints, a 401 with
//     WWW-Authenticate: DPoP error="use_dpop_nonce" at userinfo and at the resource server;
//   - a client assertion is used up before the nonce check: the retry needs a new one;
//   - the PAR endpoint is /request, and wants client_id in the body with every client auth;
//   - JWT access tokens (resource urn:oauthctl:api) cannot be introspected or revoked;
//   - a public client's DPoP-bound refresh token is bound to the key and not rotated.
//
// Token exchange and JWT bearer are custom grants (provider.registerGrantType) built from the
// same helpers as oidc-provider's own grants (its lib/helpers, exact version pinned in
// package.json), so DPoP and mTLS binding, resource indicators and scope checks behave alike.
import * as crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';

import Provider, { errors } from 'oidc-provider';
import * as grantHelpers from 'oidc-provider/lib/helpers/grants.js';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  EmbeddedJWK,
  exportJWK,
  jwtVerify,
} from 'jose';

const env = (name, fallback) => process.env[name] ?? fallback;
const port = Number(env('PORT', ''));
const dir = env('FIXTURE_DIR', '');
if (!port || !dir || !existsSync(dir)) {
  console.error('PORT and FIXTURE_DIR (an existing directory) must be set');
  process.exit(2);
}
const mtlsPort = Number(env('MTLS_PORT', '')) || undefined;
const requirePar = env('REQUIRE_PAR', '1') !== '0';
const rsTokenFormat = env('RS_TOKEN_FORMAT', 'jwt') === 'opaque' ? 'opaque' : 'jwt';

const issuer = `http://127.0.0.1:${port}`;
const mtlsOrigin = mtlsPort && `https://127.0.0.1:${mtlsPort}`;
const SCOPE = 'openid profile email offline_access api:read';
const API = 'urn:oauthctl:api';
const CSJWT_SECRET = 'oauthctl-csjwt-secret-0123456789abcdef-0123456789';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TT = 'urn:ietf:params:oauth:token-type:';
const DPOP_ALGS = ['ES256', 'Ed25519', 'EdDSA'];

// ---- key material -------------------------------------------------------------------------

const opPair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const opSig = { kid: 'strict-rs256', alg: 'RS256', use: 'sig' };
const opJwk = { ...(await exportJWK(opPair.privateKey)), ...opSig };
const opPublicKeys = createLocalJWKSet({ keys: [{ ...(await exportJWK(opPair.publicKey)), ...opSig }] });

// Client keys for private_key_jwt and JWT bearer assertions: private PEMs for the test side.
const clientKeys = [];
for (const [kid, type, opts] of [
  ['es256', 'ec', { namedCurve: 'P-256' }],
  ['rs256', 'rsa', { modulusLength: 2048 }],
  ['ed25519', 'ed25519', {}],
]) {
  const pair = crypto.generateKeyPairSync(type, opts);
  const file = `client-${kid}.pem`;
  writeFileSync(join(dir, file), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  clientKeys.push({ ...(await exportJWK(pair.publicKey)), kid, use: 'sig' });
}

// mTLS: a CA, a server certificate for 127.0.0.1, a CA-issued and a self-signed client cert.
let tls;
if (mtlsPort) {
  const openssl = (...args) => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      console.error(`MTLS_PORT needs the openssl command: openssl ${args[0]}: ${e.stderr || e.message}`);
      process.exit(2);
    }
  };
  const key = (name) => openssl(
    'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name,
  );
  const issue = (name, subject, ext) => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  };
  key('ca.key');
  openssl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=oauthctl interop CA', '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-out', 'ca.pem');
  issue('server', '/CN=127.0.0.1',
    'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  issue('mtls-client', '/CN=oauthctl-mtls', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  key('mtls-self.key');
  openssl('req', '-x509', '-new', '-key', 'mtls-self.key', '-subj', '/CN=oauthctl-mtls-self', '-days', '2',
    '-addext', 'extendedKeyUsage=clientAuth', '-out', 'mtls-self.pem');
  const self = new crypto.X509Certificate(readFileSync(join(dir, 'mtls-self.pem')));
  tls = {
    ca: readFileSync(join(dir, 'ca.pem')),
    cert: readFileSync(join(dir, 'server.pem')),
    key: readFileSync(join(dir, 'server.key')),
    selfJwk: { ...(await exportJWK(self.publicKey)), x5c: [self.raw.toString('base64')] },
  };
}

// The PEM client certificate of this request, if it came over the https listener.
function peerCertificate(socket) {
  const peer = socket?.getPeerCertificate?.();
  if (!peer?.raw) return undefined;
  return `-----BEGIN CERTIFICATE-----\n${peer.raw.toString('base64')}\n-----END CERTIFICATE-----`;
}

// ---- provider ------------------------------------------------------------------------------

const native = { application_type: 'native', response_types: ['code'], scope: SCOPE };
const clients = [
  {
    ...native,
    client_id: 'oauthctl-dpop',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    redirect_uris: ['http://127.0.0.1/callback'],
    dpop_bound_access_tokens: true,
  },
  {
    ...native,
    client_id: 'oauthctl-pkjwt',
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE, JWT_BEARER],
    redirect_uris: ['http://127.0.0.1/callback'],
    jwks: { keys: clientKeys },
    dpop_bound_access_tokens: true,
  },
  {
    client_id: 'oauthctl-agent',
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: ['client_credentials', TOKEN_EXCHANGE, JWT_BEARER],
    response_types: [],
    redirect_uris: [],
    jwks: { keys: clientKeys },
    scope: SCOPE,
  },
  {
    ...native,
    client_id: 'oauthctl-csjwt',
    client_secret: CSJWT_SECRET,
    token_endpoint_auth_method: 'client_secret_jwt',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE],
    redirect_uris: ['http://127.0.0.1/callback'],
  },
  {
    ...native,
    client_id: 'oauthctl-localhost',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: ['http://localhost:8765/oauth/cb'],
  },
];
if (tls) {
  clients.push(
    {
      ...native,
      client_id: 'oauthctl-mtls',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=oauthctl-mtls',
      tls_client_certificate_bound_access_tokens: true,
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
    {
      client_id: 'oauthctl-mtls-self',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      tls_client_certificate_bound_access_tokens: true,
      jwks: { keys: [tls.selfJwk] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: SCOPE,
    },
  );
}

// The resource server is reachable as these identifiers (resource or audience parameter).
let rsUrl; // set once the resource server listens
const knownResource = (id) => id === API || (rsUrl && id === rsUrl);

// RFC 8693 "act" claims of exchanged tokens, read by extraTokenClaims when the token is saved.
const extraClaims = new WeakMap();

const provider = new Provider(issuer, {
  clients,
  clientAuthMethods: [
    'none', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt',
    ...(tls ? ['tls_client_auth', 'self_signed_tls_client_auth'] : []),
  ],
  scopes: SCOPE.split(' '),
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  jwks: { keys: [opJwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  pkce: { required: () => true },
  discovery: tls ? {
    mtls_endpoint_aliases: {
      token_endpoint: `${mtlsOrigin}/token`,
      pushed_authorization_request_endpoint: `${mtlsOrigin}/request`,
      introspection_endpoint: `${mtlsOrigin}/token/introspection`,
      revocation_endpoint: `${mtlsOrigin}/token/revocation`,
      userinfo_endpoint: `${mtlsOrigin}/me`,
      device_authorization_endpoint: `${mtlsOrigin}/device/auth`,
    },
  } : {},
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    dPoP: {
      enabled: true,
      nonceSecret: crypto.randomBytes(32),
      requireNonce: () => true,
    },
    pushedAuthorizationRequests: {
      enabled: true,
      requirePushedAuthorizationRequests: requirePar,
    },
    mTLS: tls ? {
      enabled: true,
      certificateBoundAccessTokens: true,
      tlsClientAuth: true,
      selfSignedTlsClientAuth: true,
      getCertificate: (ctx) => peerCertificate(ctx.socket),
      // tls_client_auth: the certificate chains to the fixture's CA (checked by Node's TLS).
      certificateAuthorized: (ctx) => ctx.socket.authorized === true,
      certificateSubjectMatches: (ctx, property, expected) => {
        const cert = peerCertificate(ctx.socket);
        if (!cert || property !== 'tls_client_auth_subject_dn') return false;
        return new crypto.X509Certificate(cert).subject.split('\n').join(',') === expected;
      },
    } : { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => {
        if (!knownResource(resource)) throw new errors.InvalidTarget();
        return { scope: 'api:read', audience: API, accessTokenFormat: rsTokenFormat, accessTokenTTL: 600 };
      },
    },
  },
  extraTokenClaims: (ctx, token) => extraClaims.get(token),
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true, name: sub }),
  }),
  ttl: { AccessToken: 3600, ClientCredentials: 600, DeviceCode: 600, Grant: 86400, RefreshToken: 86400 },
});

// ---- token exchange (RFC 8693) and JWT bearer (RFC 7523 §2.1) -----------------------------

const h = Object.fromEntries(
  Object.entries(grantHelpers).map(([name, fn]) => [name, fn.bind(undefined, provider)]),
);

// Issues an access token for `accountId` to the authenticated client under a new grant, with
// the same DPoP/mTLS binding, resource indicator and scope rules as the built-in grants.
async function issueAccessToken(ctx, { accountId, scopes, gty, extra, issuedTokenType }) {
  const { client } = ctx.oidc;
  const dPoP = await h.validateDpop(ctx);
  const resourceServers = await h.resolveRequestedResources(ctx);
  if (resourceServers.length > 1) {
    throw new errors.InvalidTarget('only a single resource indicator value is supported');
  }
  // Unknown scopes are dropped, scopes outside the client's refused, as in the built-in grants.
  scopes = h.validateClientScope(ctx, [...scopes].filter((s) => SCOPE.split(' ').includes(s)));
  const [resourceServer] = resourceServers;

  // Without a resource indicator the token carries every requested scope (as client
  // credentials do); with one, only that resource server's scopes.
  const grant = new provider.Grant({ accountId, clientId: client.clientId });
  const at = new provider.AccessToken({ accountId, client, gty });
  const rsScopes = [...scopes].filter((s) => resourceServer?.scopes.has(s));
  const otherScopes = [...scopes].filter((s) => !rsScopes.includes(s));
  if (otherScopes.length) grant.addOIDCScope(otherScopes.join(' '));
  if (resourceServer) {
    grant.addResourceScope(resourceServer.identifier(), rsScopes.join(' '));
    at.resourceServer = resourceServer;
    at.scope = rsScopes.join(' ') || undefined;
  } else {
    at.scope = [...scopes].join(' ') || undefined;
  }
  at.grantId = await grant.save();

  const cert = h.checkMtlsCert(ctx);
  if (cert) at.setThumbprint('x5t', cert);
  if (dPoP) {
    await h.checkDpopReplay(ctx, dPoP, client.clientId);
    at.setThumbprint('jkt', dPoP.thumbprint);
  }
  h.checkDpopRequired(ctx, dPoP);
  if (extra) extraClaims.set(at, extra);

  ctx.oidc.entity('AccessToken', at);
  const value = await at.save();
  ctx.body = h.buildTokenResponse({
    accessToken: value,
    expiresIn: at.expiration,
    issuedTokenType,
    scope: at.scope,
    tokenType: at.tokenType,
  });
}

// Validates a subject or actor token of RFC 8693 §3 type `type`: an access token this provider
// issued (opaque: looked up; JWT: signature, issuer and expiry), or an ID token / JWT it signed.
// Returns { sub, scopes, act } or throws invalid_request (RFC 8693 §2.2.2).
async function inspectToken(value, type, what) {
  const invalid = (why) => new errors.InvalidRequest(`${what} is invalid: ${why}`);
  if (type === `${TT}access_token`) {
    if (value.split('.').length === 3) {
      const { payload } = await jwtVerify(value, opPublicKeys, { issuer, typ: 'at+jwt' })
        .catch((e) => { throw invalid(e.code || e.message); });
      return { sub: payload.sub, scopes: new Set(payload.scope?.split(' ')), act: payload.act };
    }
    const token = await provider.AccessToken.find(value) || await provider.ClientCredentials.find(value);
    if (!token) throw invalid('not active');
    return {
      sub: token.accountId || token.clientId,
      scopes: token.scopes,
      act: token.extra?.act,
    };
  }
  if (type === `${TT}id_token` || type === `${TT}jwt`) {
    const { payload } = await jwtVerify(value, opPublicKeys, { issuer })
      .catch((e) => { throw invalid(e.code || e.message); });
    if (typeof payload.sub !== 'string') throw invalid('no sub');
    const scopes = new Set(['openid', ...(payload.scope?.split(' ') ?? [])]);
    return { sub: payload.sub, scopes, act: payload.act };
  }
  throw invalid(`unsupported token type ${type}`);
}

provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
  const { params } = ctx.oidc;
  await h.validateDpop(ctx); // a nonce challenge first, before anything is looked at or used
  for (const name of ['subject_token', 'subject_token_type']) {
    if (!params[name]) throw new errors.InvalidRequest(`missing required parameter '${name}'`);
  }
  if (params.actor_token && !params.actor_token_type) {
    throw new errors.InvalidRequest("missing required parameter 'actor_token_type'");
  }
  if (!params.actor_token && params.actor_token_type) {
    throw new errors.InvalidRequest("'actor_token_type' without 'actor_token'");
  }
  if (params.requested_token_type && params.requested_token_type !== `${TT}access_token`) {
    throw new errors.InvalidRequest('only access tokens can be requested');
  }
  // `audience` names the resource server by its logical name; it is a resource indicator here.
  const audiences = [params.audience].flat().filter(Boolean);
  if (audiences.length) {
    if (audiences.some((a) => !knownResource(a))) throw new errors.InvalidTarget('unknown audience');
    params.resource = [...new Set([...[params.resource].flat().filter(Boolean), ...audiences])];
    if (params.resource.length === 1) [params.resource] = params.resource;
  }

  const subject = await inspectToken(params.subject_token, params.subject_token_type, 'subject_token');
  const actor = params.actor_token
    ? await inspectToken(params.actor_token, params.actor_token_type, 'actor_token')
    : undefined;

  // The new token's scope is the requested one, or the subject's, never more than the subject's.
  const requested = params.scope ? new Set(params.scope.split(' ')) : subject.scopes;
  for (const scope of requested) {
    if (!subject.scopes.has(scope)) {
      throw new errors.InvalidScope('requested scope exceeds the subject token', scope);
    }
  }
  // Delegation: the actor becomes "act", an earlier chain nests under it (RFC 8693 §4.1).
  const act = actor ? { sub: actor.sub, ...(subject.act ? { act: subject.act } : {}) } : subject.act;

  await issueAccessToken(ctx, {
    accountId: subject.sub,
    scopes: requested,
    gty: 'token_exchange',
    extra: act ? { act } : undefined,
    issuedTokenType: `${TT}access_token`,
  });
}, [
  'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type',
  'requested_token_type', 'audience', 'resource', 'scope',
], ['audience', 'resource']);

// JWT bearer: the assertion is issued by the client itself (iss = its client_id), signed with a
// key it registered, for any `sub` (the account to act as), aud = issuer or token endpoint,
// with exp (at most an hour ahead) and a jti used once.
provider.registerGrantType(JWT_BEARER, async (ctx) => {
  const { params, client } = ctx.oidc;
  // A nonce challenge comes before the assertion's jti is used up, so the same assertion can be
  // sent again with the nonce.
  await h.validateDpop(ctx);
  if (!params.assertion) throw new errors.InvalidRequest("missing required parameter 'assertion'");
  // invalid_grant (RFC 7523 §3.1) with the reason shown, unlike oidc-provider's InvalidGrant.
  const invalid = (why) => new errors.CustomOIDCProviderError('invalid_grant', `invalid assertion: ${why}`);
  if (!client.jwks?.keys?.length) throw invalid('the client has no registered keys');
  let payload;
  try {
    const { alg } = decodeProtectedHeader(params.assertion);
    if (!alg || alg === 'none' || alg.startsWith('HS')) throw new Error(`alg ${alg} not allowed`);
    ({ payload } = await jwtVerify(params.assertion, createLocalJWKSet(client.jwks), {
      issuer: client.clientId,
      audience: [issuer, ctx.oidc.urlFor('token')],
      requiredClaims: ['exp', 'sub', 'jti'],
    }));
  } catch (e) {
    throw invalid(e.code ? `${e.code} ${e.claim ?? ''}`.trim() : e.message);
  }
  if (payload.exp - Math.floor(Date.now() / 1000) > 3600) throw invalid('exp more than an hour ahead');
  const unique = await provider.ReplayDetection
    .unique(`jwt-bearer:${client.clientId}`, payload.jti, payload.exp);
  if (!unique) throw invalid('jti already used');

  const scopes = params.scope ? new Set(params.scope.split(' ')) : new Set(['openid']);
  await issueAccessToken(ctx, { accountId: payload.sub, scopes, gty: 'jwt_bearer' });
}, ['assertion', 'scope', 'resource'], ['resource']);

for (const ev of ['server_error', 'grant.error', 'authorization.error', 'pushed_authorization_request.error',
  'userinfo.error', 'introspection.error', 'revocation.error']) {
  provider.on(ev, (ctx, err) => console.error(
    `[${ev}]`,
    err?.message,
    [err?.error_description, err?.error_detail, err?.cause?.message].filter(Boolean).join(' | '),
  ));
}

// ---- resource server -----------------------------------------------------------------------
//
// GET|POST /api/resource   needs an access token issued for urn:oauthctl:api (JWT, verified with
//                          the provider's keys) or any opaque access token of the provider
//                          (looked up in process). DPoP-bound tokens need the DPoP scheme and a
//                          proof with htm, htu (this origin + path), ath, a fresh jti and the
//                          resource server's own nonce; certificate-bound tokens the same client
//                          certificate (only on the https listener). Answers the token's claims.
// GET /api/redirect?to=U   302 to U (a path on this origin, or an absolute http://127.0.0.1 URL):
//                          for tests of proofs across redirects.

const rsNonces = { current: crypto.randomBytes(16).toString('base64url'), previous: undefined };
setInterval(() => {
  rsNonces.previous = rsNonces.current;
  rsNonces.current = crypto.randomBytes(16).toString('base64url');
}, 60_000).unref();
const seenJti = new Map();

function challenge(res, status, scheme, error, description) {
  const realm = 'oauthctl-interop-api';
  const headers = {
    'content-type': 'application/json', 'cache-control': 'no-store', 'dpop-nonce': rsNonces.current,
  };
  const params = [`realm="${realm}"`];
  if (error) params.push(`error="${error}"`, `error_description="${description}"`);
  headers['www-authenticate'] = scheme === 'DPoP'
    ? `DPoP ${params.join(', ')}, algs="${DPOP_ALGS.join(' ')}"`
    : scheme === 'Bearer' ? `Bearer ${params.join(', ')}`
      : [`Bearer realm="${realm}"`, `DPoP realm="${realm}", algs="${DPOP_ALGS.join(' ')}"`];
  res.writeHead(status, headers);
  res.end(JSON.stringify(error ? { error, error_description: description } : { error: 'invalid_token' }));
}

async function findAccessToken(value) {
  if (value.split('.').length === 3) {
    const { payload } = await jwtVerify(value, opPublicKeys, { issuer, audience: API, typ: 'at+jwt' });
    return {
      sub: payload.sub, client_id: payload.client_id, scope: payload.scope, act: payload.act,
      jkt: payload.cnf?.jkt, x5t: payload.cnf?.['x5t#S256'],
    };
  }
  const token = await provider.AccessToken.find(value) || await provider.ClientCredentials.find(value);
  if (!token) throw new Error('not active');
  return {
    sub: token.accountId || token.clientId, client_id: token.clientId, scope: token.scope,
    act: token.extra?.act, jkt: token.jkt, x5t: token['x5t#S256'],
  };
}

async function resource(origin, req, res) {
  const url = new URL(req.url, origin);
  if (url.pathname === '/api/redirect') {
    const to = new URL(url.searchParams.get('to') || '/api/resource', origin);
    if (!['http:', 'https:'].includes(to.protocol) || to.hostname !== '127.0.0.1') {
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end('{"error":"invalid_request","error_description":"redirects go to 127.0.0.1 only"}');
    }
    res.writeHead(302, { location: to.href });
    return res.end();
  }
  if (url.pathname !== '/api/resource' || !['GET', 'POST'].includes(req.method)) {
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end('{"error":"not_found"}');
  }
  const authorization = req.headers.authorization ?? '';
  const [scheme, value, extra] = authorization.split(' ');
  if (!value || extra !== undefined || !['bearer', 'dpop'].includes(scheme.toLowerCase())) {
    return challenge(res, 401, null);
  }
  const dpopScheme = scheme.toLowerCase() === 'dpop';
  let token;
  try {
    token = await findAccessToken(value);
  } catch (e) {
    const why = `access token: ${e.code || e.message}`;
    return challenge(res, 401, dpopScheme ? 'DPoP' : 'Bearer', 'invalid_token', why);
  }
  if (token.x5t) {
    const cert = peerCertificate(req.socket);
    const x5t = cert && crypto.hash('sha256', new crypto.X509Certificate(cert).raw, 'base64url');
    if (x5t !== token.x5t) {
      const why = 'certificate-bound token without its certificate';
      return challenge(res, 401, dpopScheme ? 'DPoP' : 'Bearer', 'invalid_token', why);
    }
  }
  if (!token.jkt) {
    // As oidc-provider's userinfo: a proof with a token that is not DPoP-bound is refused.
    if (dpopScheme || req.headers.dpop) {
      const why = 'the token is not DPoP-bound but the DPoP scheme or a proof was used';
      return challenge(res, 401, 'Bearer', 'invalid_token', why);
    }
  } else {
    if (!dpopScheme) {
      return challenge(res, 401, 'DPoP', 'invalid_token', 'DPoP-bound token: use the DPoP scheme and a proof');
    }
    const proof = req.headers.dpop;
    if (!proof || proof.includes(',')) {
      return challenge(res, 401, 'DPoP', 'invalid_dpop_proof', 'exactly one DPoP proof is needed');
    }
    let header;
    let claims;
    try {
      ({ payload: claims, protectedHeader: header } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt', algorithms: DPOP_ALGS,
      }));
    } catch (e) {
      return challenge(res, 401, 'DPoP', 'invalid_dpop_proof', `proof: ${e.code || e.message}`);
    }
    const now = Math.floor(Date.now() / 1000);
    const htu = URL.parse(claims.htu);
    if (htu) { htu.search = ''; htu.hash = ''; }
    const problem = (claims.htm !== req.method && 'htm mismatch')
      || (htu?.href !== `${origin}${url.pathname}` && 'htu mismatch')
      || ((typeof claims.iat !== 'number' || Math.abs(now - claims.iat) > 60) && 'iat not recent')
      || ((typeof claims.jti !== 'string' || !claims.jti) && 'no jti')
      || (claims.ath !== crypto.hash('sha256', value, 'base64url') && 'ath mismatch');
    if (problem) return challenge(res, 401, 'DPoP', 'invalid_dpop_proof', problem);
    if (!claims.nonce || ![rsNonces.current, rsNonces.previous].includes(claims.nonce)) {
      return challenge(res, 401, 'DPoP', 'use_dpop_nonce', 'the resource server needs its nonce in the proof');
    }
    if (await calculateJwkThumbprint(header.jwk) !== token.jkt) {
      return challenge(res, 401, 'DPoP', 'invalid_token', 'the proof key is not the key the token is bound to');
    }
    if (seenJti.has(claims.jti)) return challenge(res, 401, 'DPoP', 'invalid_dpop_proof', 'replayed proof');
    seenJti.set(claims.jti, now + 120);
    if (seenJti.size > 10_000) {
      for (const [jti, exp] of seenJti) if (exp < now) seenJti.delete(jti);
    }
  }
  res.writeHead(200, {
    'content-type': 'application/json', 'cache-control': 'no-store', 'dpop-nonce': rsNonces.current,
  });
  res.end(JSON.stringify({
    sub: token.sub,
    client_id: token.client_id,
    scope: token.scope,
    act: token.act,
    token_type: token.jkt ? 'DPoP' : 'Bearer',
    cnf: token.jkt || token.x5t ? { jkt: token.jkt, 'x5t#S256': token.x5t } : undefined,
    method: req.method,
  }));
}

const safe = (origin) => (req, res) => resource(origin, req, res).catch((e) => {
  console.error('[resource]', e);
  if (!res.headersSent) res.writeHead(500);
  res.end();
});

// ---- listeners -----------------------------------------------------------------------------

const listen = (server, p) => new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(p, '127.0.0.1', () => resolve(server.address().port));
});

const rsServer = createHttpServer();
const rsPort = await listen(rsServer, Number(env('RS_PORT', '0')));
const rsOrigin = `http://127.0.0.1:${rsPort}`;
rsServer.on('request', safe(rsOrigin));
rsUrl = `${rsOrigin}/api/resource`;
console.log(`resource on ${rsUrl}`);

if (tls) {
  const callback = provider.callback();
  const mtlsResource = safe(mtlsOrigin);
  const server = createHttpsServer({
    key: tls.key, cert: tls.cert, ca: [tls.ca], requestCert: true, rejectUnauthorized: false,
  }, (req, res) => (req.url.startsWith('/api/') ? mtlsResource(req, res) : callback(req, res)));
  await listen(server, mtlsPort);
  console.log(`mtls on ${mtlsOrigin}`);
}

await listen(createHttpServer(provider.callback()), port);
writeFileSync(join(dir, 'fixture.json'), JSON.stringify({
  issuer,
  resource: rsUrl,
  resource_indicator: API,
  mtls: mtlsOrigin,
  require_par: requirePar,
  client_keys: { es256: 'client-es256.pem', rs256: 'client-rs256.pem', ed25519: 'client-ed25519.pem' },
  csjwt_secret: CSJWT_SECRET,
  ...(tls ? {
    ca: 'ca.pem',
    mtls_client: { cert: 'mtls-client.pem', key: 'mtls-client.key' },
    mtls_self: { cert: 'mtls-self.pem', key: 'mtls-self.key' },
  } : {}),
  clients: clients.map((c) => c.client_id),
}, null, 2));
console.log(`listening on ${issuer}`);

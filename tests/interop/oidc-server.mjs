// A real, certified OpenID provider (panva/oidc-provider) on loopback for interoperability
// tests. Clients:
//   oauthctl-native  public native client: code + PKCE (loopback redirect, any port),
//                    device code, refresh
//   oauthctl-test    confidential client: client credentials, introspection, revocation
// Any login name is accepted on the built-in login page; the password is ignored.
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK } from 'jose';

const port = Number(process.env.PORT || 9090);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'interop-rs256', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'oauthctl-native',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
      scope: 'openid profile email offline_access api:read',
    },
    {
      client_id: 'oauthctl-test',
      client_secret: 'oauthctl-secret',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email offline_access api:read',
    },
  ],
  scopes: ['openid', 'profile', 'email', 'offline_access', 'api:read'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  jwks: { keys: [jwk] },
  cookies: { keys: ['interop-cookie-key'] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api:read', audience: 'urn:oauthctl:api', accessTokenFormat: 'jwt', accessTokenTTL: 600,
      }),
    },
  },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true, name: sub }),
  }),
  ttl: { AccessToken: 3600, ClientCredentials: 600, DeviceCode: 600, RefreshToken: 86400 },
});
provider.listen(port, '127.0.0.1', () => console.log(`listening on ${issuer}`));
for (const ev of ['server_error', 'grant.error', 'authorization.error']) {
  provider.on(ev, (ctx, err) => console.error(`[${ev}]`, err?.message, err?.error_description || ''));
}

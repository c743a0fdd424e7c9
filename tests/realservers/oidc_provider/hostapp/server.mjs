// Host app for panva/node-oidc-provider (npm `oidc-provider`) under the conformance suite.
//
//   node server.mjs <port> <state-dir>
//
// Binds 127.0.0.1:<port> (0: any free port), builds a Provider whose issuer is
// http://127.0.0.1:<bound port>, and prints exactly one line `LISTENING <port>` on stdout once it
// accepts connections. State is oidc-provider's default in-memory adapter: fresh on every start
// (<state-dir> is not needed and is left alone).
//
// The Provider is configured as oidc-provider's documentation (docs/README.md) shows for a
// client-credentials deployment:
// - features.clientCredentials, features.introspection, features.revocation enabled;
// - "Client Credentials only clients" (FAQ): response_types [] and grant_types
//   ['client_credentials'], redirect_uris defaulting to [], token_endpoint_auth_method left to
//   clientDefaults (client_secret_basic);
// - scopes for an API through features.resourceIndicators ("Resource Server-specific scopes shall
//   be configured via the features.resourceIndicators mechanism", `scopes`): `defaultResource`
//   resolves the one API when a request names none, `getResourceServerInfo` describes it
//   (scope 'read write', the default opaque format and TTL) and refuses any other indicator;
// - a "Resource Server only client" (FAQ: response_types [], grant_types []) that the Bearer-
//   protected route below uses to introspect tokens (RFC 7662), as a resource server would.
// The default devInteractions are switched off (the docs: production deployments MUST disable
// them; nothing here needs an end-user), and a signing key is generated at start (the docs: `jwks`
// MUST be provided; the built-in development keys only warn).

import * as crypto from 'node:crypto';
import * as http from 'node:http';

// oidc-provider prints its NOTICEs with console.info (stdout); stdout carries only the LISTENING
// line, so the library's notices and warnings go to stderr.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

const { default: Provider, errors } = await import('oidc-provider');

const requestedPort = Number.parseInt(process.argv[2] ?? '0', 10);
if (!Number.isInteger(requestedPort) || requestedPort < 0) {
  console.error('usage: node server.mjs <port> <state-dir>');
  process.exit(2);
}

const CLIENT = { id: 'conformance-cc-client', secret: 'conformance-cc-secret-5d1f7a20b4c9' };
const RESTRICTED = { id: 'conformance-code-client', secret: 'conformance-code-secret-8e3b61c0d2fa' };
// A client-credentials client whose secret needs form-urlencoding in HTTP Basic (RFC 6749
// §2.3.1, Appendix B): for checking by hand, the suite does not use it.
const ENCODED = { id: 'conformance-encoded-client', secret: 'enc secret+/%&:=~x' };
// The resource server's own client, for introspection only.
const RESOURCE_SERVER = { id: 'conformance-resource-server', secret: 'conformance-rs-secret-2a9c4e7f1b03' };

const RESOURCE_PATH = '/api/resource';

let handler = (req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = http.createServer((req, res) => handler(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(requestedPort, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;
const api = `${issuer}/api`; // the resource indicator (RFC 8707) of the protected API

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: crypto.randomUUID() };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      grant_types: ['client_credentials'],
      response_types: [],
    },
    {
      // A confidential client registered for the authorization code grant only (the defaults):
      // not allowed client_credentials.
      client_id: RESTRICTED.id,
      client_secret: RESTRICTED.secret,
      redirect_uris: ['https://client.example/cb'],
    },
    {
      client_id: ENCODED.id,
      client_secret: ENCODED.secret,
      grant_types: ['client_credentials'],
      response_types: [],
    },
    {
      client_id: RESOURCE_SERVER.id,
      client_secret: RESOURCE_SERVER.secret,
      grant_types: [],
      response_types: [],
    },
  ],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      async defaultResource() {
        return api;
      },
      async getResourceServerInfo(ctx, resourceIndicator) {
        if (resourceIndicator === api) {
          return { scope: 'read write' };
        }
        throw new errors.InvalidTarget();
      },
    },
  },
  jwks: { keys: [signingKey] },
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));

const providerCallback = provider.callback();

// --- The Bearer-protected resource (RFC 6750), validated by introspection (RFC 7662). ---------

function challenge(res, status, fields) {
  const params = Object.entries({ realm: issuer, ...fields })
    .map(([key, value]) => `${key}="${String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(', ');
  res.statusCode = status;
  res.setHeader('WWW-Authenticate', `Bearer ${params}`);
  if (fields?.error) {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ error: fields.error, error_description: fields.error_description }));
  } else {
    res.end();
  }
}

async function introspect(token) {
  const basic = Buffer.from(
    `${encodeURIComponent(RESOURCE_SERVER.id)}:${encodeURIComponent(RESOURCE_SERVER.secret)}`,
  ).toString('base64');
  const answer = await fetch(`${issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  });
  if (answer.status !== 200) {
    throw new Error(`introspection answered HTTP ${answer.status}`);
  }
  return answer.json();
}

async function resource(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.statusCode = 405;
    res.setHeader('Allow', 'GET, HEAD');
    res.end();
    return;
  }
  const url = new URL(req.url, issuer);
  const header = req.headers.authorization;
  if (url.searchParams.has('access_token')) {
    // RFC 6750 §2.3 is not offered (oidc-provider's own acceptQueryParamAccessTokens default).
    challenge(res, 400, { error: 'invalid_request', error_description: 'access tokens must not be provided via query parameter' });
    return;
  }
  if (header === undefined) {
    challenge(res, 401, {}); // RFC 6750 §3.1: no error code when no authentication was attempted
    return;
  }
  const parts = header.split(' ');
  if (parts.length !== 2 || parts[0].toLowerCase() !== 'bearer' || !parts[1]) {
    challenge(res, 400, { error: 'invalid_request', error_description: 'authorization header scheme must be `Bearer`' });
    return;
  }
  let info;
  try {
    info = await introspect(parts[1]);
  } catch (err) {
    console.error('introspection failed', err);
    res.statusCode = 503;
    res.end();
    return;
  }
  const audience = Array.isArray(info.aud) ? info.aud : [info.aud];
  if (info.active !== true || info.token_type !== 'Bearer' || !audience.includes(api)) {
    challenge(res, 401, { error: 'invalid_token', error_description: 'invalid token provided' });
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ resource: 'ok', client_id: info.client_id, scope: info.scope ?? null }));
}

handler = (req, res) => {
  const path = req.url.split('?')[0];
  if (path === RESOURCE_PATH) {
    resource(req, res).catch((err) => {
      console.error(err);
      res.statusCode = 500;
      res.end();
    });
    return;
  }
  providerCallback(req, res);
};

function stop() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.stdout.write(`LISTENING ${port}\n`);

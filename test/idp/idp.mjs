// Test OpenID provider for terraform-provider-openeo, built on panva's oidc-provider.
// NEVER for production: in-memory state, fixed development signing key, open client registration.
//
// Usage: node idp.mjs [--port N] [--issuer-file PATH]
//   --port / IDP_PORT                 port on 127.0.0.1 (default 0 = a free port)
//   --issuer-file / IDP_ISSUER_FILE   once listening, the issuer URL is written (atomically) to this file
//   --device-interval / IDP_DEVICE_INTERVAL   "interval" in device authorization responses (default 1 s)
//   --ci-issuer / IDP_CI_ISSUER       issuer URL of the CI token issuer (ci-issuer.mjs) whose ID tokens the
//                                     token exchange grant accepts as subject tokens (default: none, the grant refuses all)
//
// See README.md for clients, users, endpoints and the /test/ knobs.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Provider, { errors } from 'oidc-provider';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
// Deep import (the package has no "exports" map): the original device_code grant handler, which
// the PKCE check below wraps. Internal API: re-check when upgrading oidc-provider.
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import { option, readBody, sendJSON } from './serverutil.mjs';

const BODY_LIMIT = 256 * 1024; // bytes of a request body

// ---------------------------------------------------------------- options
const PORT = Number(option('port', 'IDP_PORT', '0'));
const ISSUER_FILE = option('issuer-file', 'IDP_ISSUER_FILE', '');
const DEVICE_INTERVAL = Number(option('device-interval', 'IDP_DEVICE_INTERVAL', '1'));
const CI_ISSUER = option('ci-issuer', 'IDP_CI_ISSUER', '').replace(/\/+$/, '');
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
  console.error(`idp: invalid port ${PORT}`);
  process.exit(2);
}

// ---------------------------------------------------------------- users and clients
const USERS = {
  alice: { password: 'alice-secret', email: 'alice@example.org', name: 'Alice Tester' },
  bob: { password: 'bob-secret', email: 'bob@example.org', name: 'Bob Tester' },
};

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
const TOKEN_TYPE_ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const TOKEN_TYPE_ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
// Subjects of CI identity tokens that the token exchange grant maps to users (a federation trust
// policy, as an IdP administrator configures it); every other subject is refused.
const TRUSTED_SUBJECTS = {
  'repo:openeo-tf/demo:ref:refs/heads/main': 'alice', // GitHub Actions
  'project_path:openeo-tf/demo:ref_type:branch:ref:main': 'bob', // GitLab CI id_tokens
  'organization:openeo-tf:project:Default Project:workspace:demo:run_phase:apply': 'alice', // HCP Terraform
  'system:serviceaccount:ci:deployer': 'bob', // a Kubernetes projected service-account token
};
const ALL_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE, 'password'];
const SCOPES = ['openid', 'offline_access', 'profile', 'email'];
const CALLBACK = 'http://127.0.0.1:8080/callback';

const STATIC_CLIENTS = [
  { // confidential, every grant, authenticates like the openEO Python client (form fields)
    client_id: 'openeo-tf',
    client_secret: 'openeo-tf-secret',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ALL_GRANTS,
    response_types: ['code'],
    redirect_uris: [CALLBACK],
    scope: SCOPES.join(' '),
  },
  { // public (like openEO default clients): device code and refresh token
    client_id: 'openeo-public',
    token_endpoint_auth_method: 'none',
    grant_types: [DEVICE, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    scope: SCOPES.join(' '),
  },
  { // the test back-end's introspection client: no grants
    client_id: 'openeo-backend',
    client_secret: 'openeo-backend-secret',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  },
];

// ---------------------------------------------------------------- test state (per client id)
const stats = new Map(); // clientId -> {token_requests, by_grant, by_status, by_auth, device_requests, device_pkce, ...}
const faults = new Map(); // `${endpoint} ${clientId}` -> {status, count, delay_ms, body, content_type, retry_after, location, echo}
const ttls = new Map(); // clientId -> {access_token_ttl, refresh_token_ttl, device_code_ttl}
const deviceIntervals = new Map(); // clientId -> seconds (0: omit "interval")
const rotation = new Map(); // clientId -> true (rotate every refresh token) | false (never)
const presentedRefresh = new Map(); // clientId -> Set of sha256 of the refresh tokens presented

function statsFor(clientId) {
  let s = stats.get(clientId);
  if (!s) {
    s = {
      token_requests: 0, by_grant: {}, by_status: {}, by_auth: {}, device_requests: 0, device_pkce: 0, device_pkce_verified: 0,
      introspection_requests: 0, revocation_requests: 0, refresh_token_reuse: 0,
    };
    stats.set(clientId, s);
  }
  return s;
}

const TTL_KEYS = ['access_token_ttl', 'refresh_token_ttl', 'device_code_ttl'];
const CAMEL = { access_token_ttl: 'accessTokenTtl', refresh_token_ttl: 'refreshTokenTtl', device_code_ttl: 'deviceCodeTtl' };

// TTL for a client: runtime knob first, then registration metadata, then the default.
function ttlFor(client, key, fallback) {
  const knob = client && ttls.get(client.clientId);
  if (knob && knob[key] !== undefined) return knob[key];
  const meta = client && (client[key] ?? client[CAMEL[key]]);
  if (meta !== undefined && meta !== null) return meta;
  return fallback;
}

// oidc-provider's own rule (lib/helpers/defaults.js): rotate the refresh tokens of public clients,
// and the others' once 70 % of their lifetime has passed, for at most a year in all.
function defaultRotate(ctx) {
  const { RefreshToken: refreshToken, Client: client } = ctx.oidc.entities;
  if (refreshToken.totalLifetime() >= 365.25 * 24 * 60 * 60) return false;
  if (client.clientAuthMethod === 'none' && !refreshToken.isSenderConstrained()) return true;
  return refreshToken.ttlPercentagePassed() >= 70;
}

// ---------------------------------------------------------------- provider configuration
const configuration = {
  clients: STATIC_CLIENTS,
  findAccount: async (ctx, id) => (USERS[id] ? {
    accountId: id,
    claims: async () => ({ sub: id, email: USERS[id].email, email_verified: true, name: USERS[id].name }),
  } : undefined),
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  scopes: SCOPES,
  clientDefaults: {
    grant_types: ['authorization_code'],
    id_token_signed_response_alg: 'RS256',
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  },
  extraClientMetadata: {
    // refresh_expires_in: true makes token answers with a refresh token carry its remaining lifetime
    // as "refresh_expires_in" (seconds), as Keycloak's do.
    properties: [...TTL_KEYS, 'refresh_expires_in'],
    validator(ctx, key, value) {
      if (value === undefined || value === null) return;
      if (key === 'refresh_expires_in') {
        if (typeof value !== 'boolean') throw new errors.InvalidClientMetadata('refresh_expires_in must be true or false');
        return;
      }
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new errors.InvalidClientMetadata(`${key} must be a positive integer (seconds)`);
      }
    },
  },
  features: {
    devInteractions: { enabled: false }, // replaced by the scriptable /interaction handler below
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: {
      enabled: true,
      // any confidential client (e.g. openeo-backend) may introspect any token, incl. client-credentials tokens
      allowedPolicy: async (ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
    },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    registration: {
      enabled: true,
      initialAccessToken: false, // open registration: every test registers its own clients
      idFactory: (ctx) => {
        const name = String(ctx.oidc?.body?.client_name || '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24);
        const rand = crypto.randomBytes(6).toString('hex');
        return name ? `${name}-${rand}` : `client-${rand}`;
      },
    },
  },
  // a refresh token whenever the client may refresh and offline_access was requested
  issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  // keep offline_access for the device flow / without prompt=consent
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
  },
  pkce: { required: () => false },
  // POST /test/rotation overrides the rule per client. A rotated refresh token is spent: oidc-provider
  // answers a second use with invalid_grant and revokes the whole grant (reuse detection, like
  // Keycloak's "Revoke Refresh Token").
  rotateRefreshToken: (ctx) => {
    const id = ctx.oidc.entities.Client.clientId;
    return rotation.has(id) ? rotation.get(id) : defaultRotate(ctx);
  },
  // expired means expired: the default tolerance (15 s) would let userinfo accept expired tokens
  clockTolerance: 0,
  ttl: {
    AccessToken: (ctx, token, client) => ttlFor(client, 'access_token_ttl', 3600),
    ClientCredentials: (ctx, token, client) => ttlFor(client, 'access_token_ttl', 3600),
    DeviceCode: (ctx, code, client) => ttlFor(client, 'device_code_ttl', 600),
    IdToken: () => 3600,
    RefreshToken: (ctx, token, client) => {
      // rotated refresh tokens of public clients keep the remaining lifetime of the one they replace
      if (ctx?.oidc?.entities?.RotatedRefreshToken && client.clientAuthMethod === 'none') {
        return ctx.oidc.entities.RotatedRefreshToken.remainingTTL;
      }
      return ttlFor(client, 'refresh_token_ttl', 86400);
    },
    Grant: () => 14 * 24 * 3600,
    Interaction: () => 3600,
    Session: () => 14 * 24 * 3600,
  },
  cookies: { keys: ['test-only-cookie-key'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = `<!doctype html><html><body><h1>${out.error}</h1><p>${String(out.error_description || '').replace(/[<>&"]/g, '')}</p></body></html>`;
  },
};

// ---------------------------------------------------------------- helpers


const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

// client id of a token / device request: the form field, else the HTTP Basic user name (RFC 6749 §2.3.1)
function clientIdOf(req, form) {
  const fromForm = form.get('client_id');
  if (fromForm) return fromForm;
  if (form.get('client_assertion')) {
    try { return String(decodeJwt(form.get('client_assertion')).sub || ''); } catch { return ''; }
  }
  const h = req.headers.authorization || '';
  const m = h.match(/^Basic\s+(.+)$/i);
  if (m) {
    const dec = Buffer.from(m[1], 'base64').toString('utf8');
    const i = dec.indexOf(':');
    const raw = i >= 0 ? dec.slice(0, i) : dec;
    try { return decodeURIComponent(raw.replace(/\+/g, ' ')); } catch { return raw; }
  }
  return '';
}

function takeFault(endpoint, clientId) {
  const key = `${endpoint} ${clientId}`;
  const f = faults.get(key);
  if (!f) return undefined;
  f.count -= 1;
  if (f.count <= 0) faults.delete(key);
  return f;
}

// Echoes of a request form, as careless servers write them: secret fields first, so that a
// message cut short still shows them.
const SECRET_FIELDS = ['client_secret', 'password', 'refresh_token', 'device_code', 'code_verifier', 'token', 'subject_token', 'client_assertion'];
const escapeAll = (v, f) => v.replace(/[^A-Za-z0-9]/g, f);
function echoBody(mode, raw) {
  const form = new URLSearchParams(raw);
  const entries = [...form].sort(([a], [b]) => Number(!SECRET_FIELDS.includes(a)) - Number(!SECRET_FIELDS.includes(b)));
  switch (mode) {
    case 'form': // the raw URL-encoded body (space as "+")
      return { type: 'text/plain; charset=utf-8', body: `rejected request body: ${entries.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%20/g, '+')}`).join('&')}` };
    case 'json': // every non-alphanumeric character as a \u escape, in a JSON document that is no OAuth error
      return {
        type: 'application/json',
        body: `{"rejected":{${entries.map(([k, v]) => `"${k}":"${escapeAll(v, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`).join(',')}}}`,
      };
    case 'html': // hexadecimal character references
      return { type: 'text/html; charset=utf-8', body: `<html><body><p>Rejected: ${entries.map(([k, v]) => `${k}=${escapeAll(v, (c) => `&#x${c.charCodeAt(0).toString(16)};`)}`).join(' ')}</p></body></html>` };
    case 'oauth': // an OAuth error whose description holds the decoded values
      return { type: 'application/json', body: JSON.stringify({ error: 'invalid_request', error_description: entries.map(([k, v]) => `${k}=${v}`).join(' ') }) };
    default:
      return undefined;
  }
}

async function applyFault(f, res, reqBody) {
  if (f.delay_ms) await sleep(f.delay_ms);
  if (!f.status) return false; // delay only: go on with the real request
  const headers = { 'Cache-Control': 'no-store' };
  if (f.retry_after !== undefined) headers['Retry-After'] = String(f.retry_after);
  if (f.location !== undefined) headers.Location = String(f.location);
  let body = f.body;
  let type = f.content_type;
  const echo = f.echo ? echoBody(f.echo, reqBody ? reqBody.toString('utf8') : '') : undefined;
  if (echo) ({ body, type } = echo);
  if (body === undefined) {
    body = { error: f.status >= 500 ? 'temporarily_unavailable' : 'invalid_request', error_description: `injected failure (HTTP ${f.status})` };
  }
  if (typeof body !== 'string') {
    body = JSON.stringify(body);
    type = type || 'application/json; charset=utf-8';
  }
  headers['Content-Type'] = type || 'text/plain; charset=utf-8';
  res.writeHead(f.status, headers);
  res.end(body);
  return true;
}

// ---------------------------------------------------------------- /test/ knobs
async function testRoutes(req, res, url) {
  const m = url.pathname.match(/^\/test\/([a-z]+)(?:\/([^/]+))?$/);
  if (!m) { sendJSON(res, 404, { error: 'not_found' }); return; }
  const [, what, rawId] = m;
  const clientId = rawId ? decodeURIComponent(rawId) : '';
  let body = {};
  if (req.method === 'POST') {
    const raw = (await readBody(req, BODY_LIMIT)).toString('utf8').trim();
    if (raw) {
      try { body = JSON.parse(raw); } catch { sendJSON(res, 400, { error: 'invalid_json' }); return; }
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) { sendJSON(res, 400, { error: 'expected a JSON object' }); return; }
  }
  const needId = () => {
    if (!clientId) { sendJSON(res, 400, { error: 'client id missing in path' }); return false; }
    return true;
  };
  switch (`${req.method} ${what}`) {
    case 'POST rotation': {
      if (!needId()) return;
      if (body.rotate === null) rotation.delete(clientId);
      else if (typeof body.rotate === 'boolean') rotation.set(clientId, body.rotate);
      else { sendJSON(res, 400, { error: 'want {"rotate": true | false | null}' }); return; }
      sendJSON(res, 200, { rotate: rotation.has(clientId) ? rotation.get(clientId) : null });
      return;
    }
    case 'GET rotation':
      if (!needId()) return;
      sendJSON(res, 200, { rotate: rotation.has(clientId) ? rotation.get(clientId) : null });
      return;
    case 'GET health':
      sendJSON(res, 200, { ok: true, issuer: provider.issuer });
      return;
    case 'GET stats': {
      if (!needId()) return;
      sendJSON(res, 200, statsFor(clientId));
      return;
    }
    case 'DELETE stats':
      if (!needId()) return;
      stats.delete(clientId);
      presentedRefresh.delete(clientId);
      sendJSON(res, 200, statsFor(clientId));
      return;
    case 'POST fail': {
      if (!needId()) return;
      const endpoint = body.endpoint || 'token';
      if (!['token', 'device'].includes(endpoint)) { sendJSON(res, 400, { error: 'endpoint must be "token" or "device"' }); return; }
      const count = body.count === undefined ? 1 : Number(body.count);
      const status = body.status === undefined ? 0 : Number(body.status);
      const delay = body.delay_ms === undefined ? 0 : Number(body.delay_ms);
      if (!Number.isInteger(count) || count < 0 || !Number.isInteger(status) || (status !== 0 && (status < 200 || status > 599))
        || !Number.isFinite(delay) || delay < 0) {
        sendJSON(res, 400, { error: 'want {"status": 100..599, "count": n>=0, "delay_ms": ms>=0}' });
        return;
      }
      const key = `${endpoint} ${clientId}`;
      if (count === 0 || (status === 0 && delay === 0)) {
        faults.delete(key);
      } else {
        if (body.echo !== undefined && !['form', 'json', 'html', 'oauth'].includes(body.echo)) {
          sendJSON(res, 400, { error: 'echo must be "form", "json", "html" or "oauth"' });
          return;
        }
        faults.set(key, {
          status, count, delay_ms: delay, body: body.body, content_type: body.content_type, retry_after: body.retry_after,
          location: body.location, echo: body.echo,
        });
      }
      sendJSON(res, 200, { endpoint, client_id: clientId, ...(faults.get(key) || { count: 0 }) });
      return;
    }
    case 'DELETE fail':
      if (!needId()) return;
      faults.delete(`token ${clientId}`);
      faults.delete(`device ${clientId}`);
      sendJSON(res, 200, {});
      return;
    case 'POST ttl': {
      if (!needId()) return;
      const cur = { ...(ttls.get(clientId) || {}) };
      for (const k of TTL_KEYS) {
        if (body[k] === undefined) continue;
        if (body[k] === null) { delete cur[k]; continue; }
        if (!Number.isSafeInteger(body[k]) || body[k] < 1) { sendJSON(res, 400, { error: `${k} must be a positive integer or null` }); return; }
        cur[k] = body[k];
      }
      ttls.set(clientId, cur);
      sendJSON(res, 200, cur);
      return;
    }
    case 'GET ttl':
      if (!needId()) return;
      sendJSON(res, 200, ttls.get(clientId) || {});
      return;
    case 'POST device': {
      if (!needId()) return;
      if (body.interval === null) deviceIntervals.delete(clientId);
      else if (Number.isInteger(body.interval) && body.interval >= 0) deviceIntervals.set(clientId, body.interval);
      else { sendJSON(res, 400, { error: 'want {"interval": seconds >= 0 | null}' }); return; }
      sendJSON(res, 200, { interval: deviceIntervals.has(clientId) ? deviceIntervals.get(clientId) : DEVICE_INTERVAL });
      return;
    }
    default:
      sendJSON(res, 405, { error: `unsupported: ${req.method} /test/${what}` });
  }
}

// ---------------------------------------------------------------- the provider
// Listen first (port 0 allowed), then build the provider with the real issuer.
const server = http.createServer();
server.listen(PORT, '127.0.0.1');
await new Promise((resolve, reject) => { server.once('listening', resolve); server.once('error', reject); });
const ISSUER = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(ISSUER, configuration);
provider.proxy = false;

// ---- ROPC ("password") grant, which oidc-provider does not ship ----
provider.registerGrantType('password', async (ctx) => {
  const { username, password } = ctx.oidc.params;
  const scope = ctx.oidc.params.scope || 'openid';
  const u = USERS[username];
  if (!u || u.password !== password) throw new errors.InvalidGrant('invalid username or password');
  const { client } = ctx.oidc;
  const allowed = new Set((client.scope || SCOPES.join(' ')).split(' '));
  const scopes = scope.split(' ').filter((s) => s && allowed.has(s) && SCOPES.includes(s));
  const grant = new provider.Grant({ accountId: username, clientId: client.clientId });
  grant.addOIDCScope(scopes.join(' '));
  const grantId = await grant.save();
  const at = new provider.AccessToken({ accountId: username, client, grantId, scope: scopes.join(' '), gty: 'password' });
  const body = { access_token: await at.save(), token_type: 'Bearer', expires_in: at.expiration, scope: at.scope };
  if (scopes.includes('offline_access') && client.grantTypeAllowed('refresh_token')) {
    const rt = new provider.RefreshToken({ accountId: username, client, grantId, scope: at.scope, gty: 'password', rotations: 0 });
    body.refresh_token = await rt.save();
  }
  if (scopes.includes('openid')) {
    const account = await configuration.findAccount(ctx, username);
    const idt = new provider.IdToken({ ...(await account.claims()), auth_time: Math.floor(Date.now() / 1000) }, { ctx });
    idt.scope = scopes.join(' ');
    body.id_token = await idt.issue({ use: 'idtoken' });
  }
  ctx.body = body;
}, ['username', 'password', 'scope']);

// ---- RFC 8693 token exchange: a CI identity token (subject_token) for an access token of the user
// its subject is trusted as. The subject token must be signed by the CI issuer (its JWKS), name it as
// iss, carry this IdP's issuer URL in aud and not have expired. ----
let ciKeys;
async function ciJWKS() {
  if (!ciKeys) {
    const r = await fetch(`${CI_ISSUER}/.well-known/openid-configuration`);
    if (!r.ok) throw new Error(`CI issuer discovery: HTTP ${r.status}`);
    ciKeys = createRemoteJWKSet(new URL((await r.json()).jwks_uri));
  }
  return ciKeys;
}
// refuse: an OAuth error whose error_description says why (InvalidGrant would answer only
// "grant request is invalid").
const refuse = (code, description) => new errors.CustomOIDCProviderError(code, description);
provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
  const {
    subject_token: subjectToken, subject_token_type: subjectType, audience, requested_token_type: requested,
  } = ctx.oidc.params;
  const { client } = ctx.oidc;
  if (!subjectToken) throw refuse('invalid_request', 'missing required parameter \'subject_token\'');
  if (![TOKEN_TYPE_JWT, TOKEN_TYPE_ID_TOKEN].includes(subjectType)) {
    throw refuse('invalid_request', `unsupported subject_token_type '${subjectType || ''}': this IdP accepts ${TOKEN_TYPE_JWT} and ${TOKEN_TYPE_ID_TOKEN}`);
  }
  if (requested && requested !== TOKEN_TYPE_ACCESS_TOKEN) {
    throw refuse('invalid_request', `unsupported requested_token_type '${requested}': this IdP issues ${TOKEN_TYPE_ACCESS_TOKEN} only`);
  }
  if (audience && audience !== ISSUER && audience !== client.clientId) {
    throw refuse('invalid_target', `audience '${audience}' is not this identity provider (${ISSUER}) or the client`);
  }
  if (!CI_ISSUER) throw refuse('invalid_grant', 'this identity provider trusts no CI issuer (started without --ci-issuer)');
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(subjectToken, await ciJWKS(), {
      issuer: CI_ISSUER, audience: ISSUER, algorithms: ['RS256'], clockTolerance: 0,
    }));
  } catch (err) {
    let what = err.code || 'invalid token';
    switch (err.code) {
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        if (err.claim === 'aud') what = `subject token audience ${JSON.stringify(err.payload?.aud)} is not this identity provider's issuer ${ISSUER}`;
        else if (err.claim === 'iss') what = `subject token issuer '${err.payload?.iss}' is not the trusted CI issuer ${CI_ISSUER}`;
        else what = `subject token claim '${err.claim}' check failed: ${err.message}`;
        break;
      case 'ERR_JWT_EXPIRED': what = 'subject token has expired'; break;
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': case 'ERR_JWKS_NO_MATCHING_KEY':
        what = 'subject token signature does not verify against the CI issuer\'s JWKS'; break;
      case 'ERR_JWS_INVALID': case 'ERR_JWT_INVALID': what = 'subject token is not a signed JWT'; break;
      default: what = `subject token rejected (${err.code || err.message})`;
    }
    throw refuse('invalid_grant', what);
  }
  const accountId = TRUSTED_SUBJECTS[claims.sub];
  if (!accountId) throw refuse('invalid_grant', `subject '${claims.sub}' of the CI issuer is not trusted by this identity provider`);
  const allowed = new Set((client.scope || SCOPES.join(' ')).split(' '));
  const scopes = String(ctx.oidc.params.scope || 'openid').split(' ').filter((s) => s && allowed.has(s) && SCOPES.includes(s) && s !== 'offline_access');
  const grant = new provider.Grant({ accountId, clientId: client.clientId });
  grant.addOIDCScope(scopes.join(' '));
  const grantId = await grant.save();
  const at = new provider.AccessToken({ accountId, client, grantId, scope: scopes.join(' '), gty: 'token_exchange' });
  ctx.body = {
    access_token: await at.save(), issued_token_type: TOKEN_TYPE_ACCESS_TOKEN, token_type: 'Bearer', expires_in: at.expiration, scope: at.scope,
  };
}, ['subject_token', 'subject_token_type', 'audience', 'requested_token_type', 'scope', 'actor_token', 'actor_token_type']);

// ---- PKCE for the device flow: oidc-provider drops code_challenge at /device/auth and never checks
// code_verifier for device_code; remember the challenge per device_code and check S256 here ----
const devicePkce = new Map(); // device_code -> code_challenge
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/device/auth') {
    const form = new URLSearchParams(ctx.req.body ? ctx.req.body.toString('utf8') : '');
    const challenge = form.get('code_challenge');
    const method = form.get('code_challenge_method') || 'plain';
    if (challenge && method !== 'S256') {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'only code_challenge_method=S256 is supported' };
      return;
    }
    await next();
    if (ctx.status === 200 && ctx.body && ctx.body.device_code) {
      const cid = form.get('client_id') || ctx.oidc?.client?.clientId;
      if (challenge) {
        devicePkce.set(ctx.body.device_code, challenge);
        if (cid) statsFor(cid).device_pkce += 1;
      }
      const interval = deviceIntervals.has(cid) ? deviceIntervals.get(cid) : DEVICE_INTERVAL;
      if (interval > 0) ctx.body.interval = interval;
    }
    return;
  }
  await next();
});
const origDevice = instance(provider).grantTypeHandlers.get(DEVICE);
provider.registerGrantType(DEVICE, async (ctx, next) => {
  const challenge = devicePkce.get(String(ctx.oidc.params.device_code || ''));
  if (challenge) {
    const v = ctx.oidc.params.code_verifier;
    if (!v || crypto.createHash('sha256').update(v).digest('base64url') !== challenge) {
      throw new errors.InvalidGrant('PKCE verification failed');
    }
  }
  await origDevice(ctx, next);
  // Only a grant that issued tokens counts (pending polls throw above).
  if (challenge && ctx.body && ctx.body.access_token && ctx.oidc.client) statsFor(ctx.oidc.client.clientId).device_pkce_verified += 1;
}, ['device_code', 'code_verifier']);

// ---- Keycloak-style refresh_expires_in for clients registered with refresh_expires_in: true ----
provider.use(async (ctx, next) => {
  await next();
  if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200 || !ctx.body || !ctx.body.refresh_token) return;
  const client = ctx.oidc?.client;
  if (!client || !(client.refresh_expires_in ?? client.refreshExpiresIn)) return;
  const rt = await provider.RefreshToken.find(ctx.body.refresh_token);
  if (rt) ctx.body.refresh_expires_in = rt.remainingTTL;
});

// ---- scriptable interactions: GET shows a login form, POST logs in; consent is granted automatically ----
const loginForm = (uid, err = '') => `<!doctype html><html><body>${err}<form method="post" action="/interaction/${uid}">
<input name="login"><input name="password" type="password"><button type="submit">Sign-in</button></form></body></html>`;

provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!m) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    if (ctx.method === 'GET') { ctx.type = 'html'; ctx.body = loginForm(details.uid); return undefined; }
    const form = new URLSearchParams(ctx.req.body ? ctx.req.body.toString('utf8') : (await readBody(ctx.req, BODY_LIMIT)).toString('utf8'));
    const login = form.get('login');
    if (!USERS[login] || USERS[login].password !== form.get('password')) {
      ctx.status = 401; ctx.type = 'html'; ctx.body = loginForm(details.uid, '<p class="error">invalid credentials</p>');
      return undefined;
    }
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: login } }, { mergeWithLastSubmission: false }));
    return undefined;
  }
  const grant = details.grantId ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const d = prompt.details;
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  if (d.missingResourceScopes) {
    for (const [ind, sc] of Object.entries(d.missingResourceScopes)) grant.addResourceScope(ind, sc.join(' '));
  }
  const grantId = await grant.save();
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true }));
  return undefined;
});

// ---------------------------------------------------------------- HTTP front: knobs, stats, logging
const oidc = provider.callback();
server.on('request', async (req, res) => {
  const started = Date.now();
  const url = new URL(req.url, ISSUER);
  let label = '';
  res.on('finish', () => {
    console.log(`${new Date().toISOString()} ${req.method} ${url.pathname} ${res.statusCode} ${Date.now() - started}ms${label}`);
  });
  try {
    if (url.pathname.startsWith('/test/')) { await testRoutes(req, res, url); return; }

    const isToken = req.method === 'POST' && url.pathname === '/token';
    const isDevice = req.method === 'POST' && url.pathname === '/device/auth';
    const isReg = req.method === 'POST' && url.pathname === '/reg';
    const isIntro = req.method === 'POST' && url.pathname === '/token/introspection';
    const isRevoke = req.method === 'POST' && url.pathname === '/token/revocation';
    if (isToken || isDevice || isReg || isIntro || isRevoke || (req.method === 'POST' && url.pathname.startsWith('/interaction/'))) {
      // Read the body here (to count and inject faults by client id); oidc-provider then uses req.body.
      req.body = await readBody(req, BODY_LIMIT);
    }
    if (isReg && /json/i.test(req.headers['content-type'] || '')) {
      // Registration defaults for tests: no authorization_code grant -> no response types / redirect URIs.
      try {
        const meta = JSON.parse(req.body.toString('utf8') || '{}');
        const grants = meta.grant_types || ['authorization_code'];
        if (!grants.includes('authorization_code')) {
          if (meta.response_types === undefined) meta.response_types = [];
          if (meta.redirect_uris === undefined) meta.redirect_uris = [];
        }
        req.body = Buffer.from(JSON.stringify(meta));
      } catch { /* let oidc-provider report the bad body */ }
    }
    if (isIntro || isRevoke) {
      const clientId = clientIdOf(req, new URLSearchParams(req.body.toString('utf8')));
      label = ` client=${clientId || '-'}`;
      if (clientId) statsFor(clientId)[isIntro ? 'introspection_requests' : 'revocation_requests'] += 1;
    }
    if (isToken || isDevice) {
      const form = new URLSearchParams(req.body.toString('utf8'));
      const clientId = clientIdOf(req, form);
      label = ` client=${clientId || '-'}`;
      if (clientId) {
        const s = statsFor(clientId);
        if (isToken) {
          const g = form.get('grant_type') || '(none)';
          const short = g === DEVICE ? 'device_code' : (g === TOKEN_EXCHANGE ? 'token_exchange' : g);
          label += ` grant=${short}`;
          s.token_requests += 1;
          s.by_grant[short] = (s.by_grant[short] || 0) + 1;
          let auth = 'none';
          if (/^Basic\s/i.test(req.headers.authorization || '')) auth = 'client_secret_basic';
          else if (form.get('client_assertion_type') === JWT_BEARER_ASSERTION) auth = 'private_key_jwt';
          else if (form.has('client_secret')) auth = 'client_secret_post';
          s.by_auth[auth] = (s.by_auth[auth] || 0) + 1;
          if (short === 'refresh_token' && form.get('refresh_token')) {
            // reuse: the same refresh token presented again (whatever the answer)
            const h = crypto.createHash('sha256').update(form.get('refresh_token')).digest('hex');
            let seen = presentedRefresh.get(clientId);
            if (!seen) { seen = new Set(); presentedRefresh.set(clientId, seen); }
            if (seen.has(h)) s.refresh_token_reuse += 1;
            seen.add(h);
          }
          res.on('finish', () => { s.by_status[res.statusCode] = (s.by_status[res.statusCode] || 0) + 1; });
        } else {
          s.device_requests += 1;
        }
        const f = takeFault(isToken ? 'token' : 'device', clientId);
        if (f) {
          label += ' (injected)';
          if (await applyFault(f, res, req.body)) return;
        }
      }
    }
    await oidc(req, res);
  } catch (err) {
    console.error(`idp: ${req.method} ${url.pathname}: ${err && err.stack ? err.stack : err}`);
    if (!res.headersSent) sendJSON(res, 500, { error: 'server_error', error_description: String(err && err.message) });
    else res.destroy();
  }
});

if (ISSUER_FILE) {
  const tmp = `${ISSUER_FILE}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(path.resolve(ISSUER_FILE)), { recursive: true });
  fs.writeFileSync(tmp, `${ISSUER}\n`);
  fs.renameSync(tmp, ISSUER_FILE);
}
console.log(`test IdP listening: issuer ${ISSUER} (pid ${process.pid})`);

const shutdown = () => { server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

// A local CI identity-token issuer for terraform-provider-openeo's tests: it plays the part of
// GitHub Actions' (or GitLab's, HCP Terraform's, Kubernetes') OIDC issuer, whose ID tokens a CI job
// exchanges at the test IdP (RFC 8693). NEVER for production: the signing keys live in memory and
// /test/mint signs whatever it is asked to.
//
// Usage: node ci-issuer.mjs [--port N] [--issuer-file PATH]
//   --port / CI_ISSUER_PORT                 port on 127.0.0.1 (default 0 = a free port)
//   --issuer-file / CI_ISSUER_ISSUER_FILE   once listening, the issuer URL is written (atomically) to this file
//
// Endpoints (see README.md):
//   GET  /.well-known/openid-configuration   discovery (issuer, jwks_uri)
//   GET  /.well-known/jwks                   the public signing keys (RS256)
//   GET  /actions/token?audience=A           the GitHub Actions request-URL protocol: bearer
//                                            ACTIONS_ID_TOKEN_REQUEST_TOKEN -> {"count":1,"value":<id token>}
//   POST /test/actions  {claims}             a request URL and bearer for one simulated job:
//                                            {"request_url": ..., "request_token": ...}
//   POST /test/mint     {sub, aud, ...}      an ID token with the given claims: {"token": ...}
//   GET  /test/stats                         how many tokens were issued ({"actions_requests", "minted", ...})
//   GET  /test/actions/audiences             bearer <request token>: the audiences that job's token
//                                            requests asked for, in order ({"audiences": [...]})
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { option, readBody, sendJSON } from './serverutil.mjs';

const BODY_LIMIT = 64 * 1024; // bytes of a request body

const PORT = Number(option('port', 'CI_ISSUER_PORT', '0'));
const ISSUER_FILE = option('issuer-file', 'CI_ISSUER_ISSUER_FILE', '');
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
  console.error(`ci-issuer: invalid port ${PORT}`);
  process.exit(2);
}

// The job a request token stands for when /test/actions gets no claims: the repository the test
// IdP trusts (see idp.mjs TRUSTED_SUBJECTS).
const DEFAULT_JOB = {
  repository: 'openeo-tf/demo',
  ref: 'refs/heads/main',
  event_name: 'push',
  workflow: 'deploy',
  actor: 'octocat',
};
const DEFAULT_TTL = 300; // seconds, like GitHub's ID tokens (a few minutes)

const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
const KID = `ci-${crypto.randomBytes(6).toString('hex')}`;
const publicJWK = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };

const jobs = new Map(); // sha256(request token) -> claims of that job
const jobAudiences = new Map(); // sha256(request token) -> the audience parameter of each token request ('' none)
const stats = { actions_requests: 0, actions_refused: 0, minted: 0 };



const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');

// githubClaims: the claims of a GitHub Actions ID token for a job (repository, ref, ...).
function githubClaims(job) {
  const j = { ...DEFAULT_JOB, ...job };
  const owner = j.repository.split('/')[0];
  return {
    sub: j.sub || `repo:${j.repository}:ref:${j.ref}`,
    repository: j.repository,
    repository_owner: owner,
    ref: j.ref,
    ref_type: j.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: j.sha || crypto.randomBytes(20).toString('hex'),
    workflow: j.workflow,
    job_workflow_ref: `${j.repository}/.github/workflows/${j.workflow}.yml@${j.ref}`,
    event_name: j.event_name,
    actor: j.actor,
    run_id: String(j.run_id || Math.floor(Math.random() * 1e9)),
    run_attempt: '1',
    runner_environment: 'self-hosted',
    ...(j.environment ? { environment: j.environment } : {}),
  };
}

// sign: an ID token from this issuer. claims may override everything but iat; ttl < 0 gives an
// expired token.
async function sign(claims, aud, ttl) {
  const now = Math.floor(Date.now() / 1000);
  const { iss, exp, nbf, ...rest } = claims;
  return new SignJWT({ ...rest, jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
    .setIssuer(iss || ISSUER)
    .setAudience(aud)
    .setIssuedAt(now)
    .setNotBefore(nbf ?? now - 5)
    .setExpirationTime(exp ?? now + ttl)
    .sign(privateKey);
}

let ISSUER = '';

async function handle(req, res, url) {
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /.well-known/openid-configuration':
      sendJSON(res, 200, {
        issuer: ISSUER,
        jwks_uri: `${ISSUER}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'repository', 'repository_owner', 'ref',
          'ref_type', 'sha', 'workflow', 'job_workflow_ref', 'event_name', 'actor', 'run_id', 'run_attempt',
          'runner_environment', 'environment'],
      });
      return;
    case 'GET /.well-known/jwks':
      sendJSON(res, 200, { keys: [publicJWK] });
      return;
    case 'GET /actions/token': {
      // GitHub's protocol: "Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>", optional
      // ?audience=; the default audience is the repository owner's URL.
      const m = (req.headers.authorization || '').match(/^bearer\s+(\S+)$/i);
      const job = m ? jobs.get(sha256(m[1])) : undefined;
      if (!job) {
        stats.actions_refused += 1;
        sendJSON(res, 401, { message: 'Bad credentials: the request token is unknown (is id-token: write granted?)' });
        return;
      }
      stats.actions_requests += 1;
      jobAudiences.get(sha256(m[1])).push(url.searchParams.get('audience') || '');
      const claims = githubClaims(job);
      const aud = url.searchParams.get('audience') || `https://github.example/${claims.repository_owner}`;
      sendJSON(res, 200, { count: 1, value: await sign(claims, aud, job.ttl ?? DEFAULT_TTL) });
      return;
    }
    case 'POST /test/actions': {
      const job = await jsonBody(req, res);
      if (!job) return;
      const token = crypto.randomBytes(24).toString('base64url');
      jobs.set(sha256(token), job);
      jobAudiences.set(sha256(token), []);
      // Like GitHub's: the request URL already has a query, so clients must append &audience=.
      sendJSON(res, 200, { request_url: `${ISSUER}/actions/token?api-version=2.0`, request_token: token });
      return;
    }
    case 'POST /test/mint': {
      // {sub, aud, ttl?, iss?, exp?, claims?: {...}}: any token shape (GitLab, HCP Terraform, a file).
      const b = await jsonBody(req, res);
      if (!b) return;
      if (typeof b.sub !== 'string' || b.sub === '') { sendJSON(res, 400, { error: 'want {"sub": "...", "aud": "..."}' }); return; }
      if (b.aud === undefined || (typeof b.aud !== 'string' && !Array.isArray(b.aud))) {
        sendJSON(res, 400, { error: 'aud must be a string or an array of strings' });
        return;
      }
      const ttl = b.ttl === undefined ? DEFAULT_TTL : Number(b.ttl);
      if (!Number.isInteger(ttl)) { sendJSON(res, 400, { error: 'ttl must be an integer (seconds; negative: expired)' }); return; }
      stats.minted += 1;
      const claims = { ...(b.claims || {}), sub: b.sub, ...(b.iss ? { iss: b.iss } : {}) };
      sendJSON(res, 200, { token: await sign(claims, b.aud, ttl) });
      return;
    }
    case 'GET /test/actions/audiences': {
      const m = (req.headers.authorization || '').match(/^bearer\s+(\S+)$/i);
      const list = m ? jobAudiences.get(sha256(m[1])) : undefined;
      if (!list) { sendJSON(res, 404, { error: 'unknown request token' }); return; }
      sendJSON(res, 200, { audiences: list });
      return;
    }
    case 'GET /test/stats':
      sendJSON(res, 200, stats);
      return;
    default:
      sendJSON(res, 404, { error: 'not_found', error_description: `no route ${route}` });
  }
}

async function jsonBody(req, res) {
  const raw = (await readBody(req, BODY_LIMIT)).toString('utf8').trim();
  let b = {};
  if (raw) {
    try { b = JSON.parse(raw); } catch { sendJSON(res, 400, { error: 'invalid_json' }); return undefined; }
  }
  if (typeof b !== 'object' || b === null || Array.isArray(b)) { sendJSON(res, 400, { error: 'expected a JSON object' }); return undefined; }
  return b;
}

const server = http.createServer(async (req, res) => {
  const started = Date.now();
  const url = new URL(req.url, ISSUER || 'http://127.0.0.1');
  res.on('finish', () => console.log(`${new Date().toISOString()} ${req.method} ${url.pathname} ${res.statusCode} ${Date.now() - started}ms`));
  try {
    await handle(req, res, url);
  } catch (err) {
    console.error(`ci-issuer: ${req.method} ${url.pathname}: ${err && err.stack ? err.stack : err}`);
    if (!res.headersSent) sendJSON(res, 500, { error: 'server_error', error_description: String(err && err.message) });
    else res.destroy();
  }
});
server.listen(PORT, '127.0.0.1');
await new Promise((resolve, reject) => { server.once('listening', resolve); server.once('error', reject); });
ISSUER = `http://127.0.0.1:${server.address().port}`;

if (ISSUER_FILE) {
  const tmp = `${ISSUER_FILE}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(path.resolve(ISSUER_FILE)), { recursive: true });
  fs.writeFileSync(tmp, `${ISSUER}\n`);
  fs.renameSync(tmp, ISSUER_FILE);
}
console.log(`CI issuer listening: issuer ${ISSUER} (pid ${process.pid}, kid ${KID})`);

const shutdown = () => { server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

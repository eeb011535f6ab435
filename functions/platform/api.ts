/**
 * What every authenticated route shares at cold start: the token verifier built from the
 * checked auth configuration, user creation on first sight, and the route's authentication
 * mode read from functions/routes.ts. The API-key lookup is injected (`routesWith`): keys are
 * the accounts domain's (functions/accounts/routes.ts wires its key store in), and the platform
 * depends on no domain.
 *
 * Order, the same locally and in AWS: the credential's shape first (no I/O), then a token is
 * verified offline (aws-jwt-verify, JWKS handed over at deploy) or a key is looked up by its
 * SHA-256 hash. A key on a `jwt` route is refused with 403 before any lookup. A key store that
 * cannot be reached is a 503 (platform/http.ts maps database outages), never a 401: clients
 * throw away keys that get 401.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { hashKey, isWellFormedKey, looksLikeKey } from '../core/api-keys';
import { authOf } from '../routes';
import { bearerToken, createVerifier, type User } from './auth';
import { authConfig } from './config';
import { forbidden, HttpProblem, unauthorized } from './errors';
import { type ApiRequest, apiHandler, type HttpResult, type LambdaHttpHandler } from './http';
import { AUTH_FAILURES_METRIC, AUTH_METRICS_SERVICE, KEY_REFUSED_METRIC } from './names';
import { MetricUnit, powertools } from './powertools';
import { ensureUser, isMissingUser, recreateUser } from './users';

const verifier = createVerifier(authConfig());
// One `service` for every route's authentication failures (plus `stage`, like every metric).
const authMetrics = powertools(AUTH_METRICS_SERVICE).metrics;

type Tools = ReturnType<typeof powertools>;

/** An authenticated request: the caller, and the API key used (null for an access token). */
export interface RouteRequest extends ApiRequest {
  apiKeyId: string | null;
}

/** A verified access token, or a well-formed API key not yet looked up (its SHA-256, hex). */
export type Credential = { kind: 'token'; user: User } | { kind: 'key'; hash: string };

export interface CredentialRequest {
  event: APIGatewayProxyEventV2;
  context: Context;
  credential: Credential;
}

/** The active key with a given SHA-256 (hex): its id and owner; null when none is active. */
export interface KeyOwner {
  keyId: string;
  userSub: string;
}
export type KeyLookup = (hash: string) => Promise<KeyOwner | null>;

/** A key's owner acts with no groups: a key never carries its owner's admin rights. */
const keyUser = (sub: string): User => ({ sub, email: null, groups: [] });

/** Count an authentication failure (one metric for all routes), then throw it. */
function fail(problem: HttpProblem): never {
  authMetrics.addMetric(
    problem.status === 403 ? KEY_REFUSED_METRIC : AUTH_FAILURES_METRIC,
    MetricUnit.Count,
    1,
  );
  authMetrics.publishStoredMetrics();
  throw problem;
}

/** The 401 for a well-formed key that is unknown, revoked, or whose owner is gone. */
export const rejectKey = (): never => fail(unauthorized('The API key is unknown or has been revoked'));

// The scheme is case-insensitive (RFC 7235 §2.1), as for access tokens (auth.ts).
const KEY_BEARER = /^Bearer +(sck_\S*)$/i;

async function credentialOf(event: APIGatewayProxyEventV2, entry: string): Promise<Credential> {
  const header = event.headers.authorization;
  const key = header ? KEY_BEARER.exec(header.trim())?.[1] : undefined;
  if (key !== undefined && looksLikeKey(key)) {
    if (authOf(entry) !== 'jwt-or-key') {
      fail(forbidden('API keys cannot be used on this route; sign in and use an access token'));
    }
    if (!isWellFormedKey(key)) fail(unauthorized('The API key is malformed'));
    return { kind: 'key', hash: hashKey(key) };
  }
  let user: User;
  try {
    user = await verifier.verify(bearerToken(header));
  } catch (error) {
    if (error instanceof HttpProblem && error.status === 401) fail(error);
    throw error;
  }
  await ensureUser(user);
  return { kind: 'token', user };
}

/**
 * Run `core`; if it failed because the token's user row is gone (deleted while the token is
 * still valid, and this container still remembers the user), put the row back from the token
 * and run it once more. Safe: the failed statement changed nothing (every write a route makes is
 * one statement or one transaction, and the foreign-key violation aborted it). Only for access
 * tokens: a key's owner cannot be gone, since deleting a user deletes their keys.
 */
async function recreatingUser(user: User | null, core: () => Promise<HttpResult>): Promise<HttpResult> {
  try {
    return await core();
  } catch (error) {
    if (!user || !isMissingUser(error)) throw error;
    await recreateUser(user);
    return core();
  }
}

/** The route wrappers, with the API-key lookup they use (functions/accounts/routes.ts). */
export function routesWith(lookupKey: KeyLookup) {
  /**
   * The Lambda handler of route `entry` (its row in functions/routes.ts decides whether API keys
   * are accepted). A key is looked up before `core` runs: one query.
   */
  function authenticatedRoute(
    entry: string,
    core: (req: RouteRequest, tools: Tools) => Promise<HttpResult>,
  ): LambdaHttpHandler {
    authOf(entry); // fail at cold start if the route table has no (safe) row for this function
    const tools = powertools(entry);
    return apiHandler(
      (req: RouteRequest) => recreatingUser(req.apiKeyId ? null : req.user, () => core(req, tools)),
      {
        ...tools,
        authenticate: async (event, context) => {
          const credential = await credentialOf(event, entry);
          if (credential.kind === 'token') return { event, context, user: credential.user, apiKeyId: null };
          const owner = await lookupKey(credential.hash);
          if (!owner) return rejectKey();
          return { event, context, user: keyUser(owner.userSub), apiKeyId: owner.keyId };
        },
      },
    );
  }

  /**
   * Like `authenticatedRoute`, but a key reaches `core` unresolved: the handler folds the lookup
   * into the query it makes anyway (POST /api/analyze stays at 2 round trips) and calls
   * `rejectKey()` when that query finds no active key.
   */
  function credentialRoute(
    entry: string,
    core: (req: CredentialRequest, tools: Tools) => Promise<HttpResult>,
  ): LambdaHttpHandler {
    if (authOf(entry) !== 'jwt-or-key') throw new Error(`${entry} does not accept API keys`);
    const tools = powertools(entry);
    return apiHandler(
      (req: CredentialRequest) =>
        recreatingUser(req.credential.kind === 'token' ? req.credential.user : null, () => core(req, tools)),
      {
        ...tools,
        authenticate: async (event, context) => ({
          event,
          context,
          credential: await credentialOf(event, entry),
        }),
      },
    );
  }

  return { authenticatedRoute, credentialRoute };
}

/**
 * Database credentials that survive a secret rotation. Secrets Manager rotates the password
 * every 30 days while warm containers keep running (the billing sync stays warm for hours):
 *
 * - postgres.js asks for the password on every new connection (`password: () => …`); it is
 *   cached for `ttlMs` so a busy container does not call Secrets Manager per connection;
 * - a connection refused with SQLSTATE 28P01 (invalid password) drops the cache, and the
 *   query or transaction that hit it runs once more, now with the secret read afresh. The
 *   failure happens while connecting, before any statement ran, so running it again cannot
 *   apply anything twice.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type postgres from 'postgres';

/** SQLSTATE invalid_password. */
const INVALID_PASSWORD = '28P01';

/** How long a read password is reused for new connections. */
const PASSWORD_TTL_MS = 60_000;

export interface RotatingCredentials {
  /** The user name (single-user rotation changes only the password). */
  readonly username: string;
  /** The current password: cached, re-read after `ttlMs` or after `invalidate()`. */
  password(): Promise<string>;
  /** Forget the cached password (after an authentication failure). */
  invalidate(): void;
}

/** A database secret's user name and password (RDS's JSON shape); throws when either is missing. */
export async function readDbSecret(
  sm: SecretsManagerClient,
  secretArn: string,
): Promise<{ username: string; password: string }> {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const parsed = JSON.parse(out.SecretString ?? '{}') as { username?: unknown; password?: unknown };
  if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string' || !parsed.password) {
    throw new Error('Database secret has no username/password');
  }
  return { username: parsed.username, password: parsed.password };
}

/** Reads the RDS secret now (the user name) and the password again whenever it may be stale. */
export async function rotatingCredentials(
  sm: SecretsManagerClient,
  secretArn: string,
  options: { ttlMs?: number; now?: () => number } = {},
): Promise<RotatingCredentials> {
  const ttlMs = options.ttlMs ?? PASSWORD_TTL_MS;
  const now = options.now ?? Date.now;
  const first = await readDbSecret(sm, secretArn);
  let cached: { value: string; readAt: number } | undefined = { value: first.password, readAt: now() };
  // Connections opened together share one read.
  let reading: Promise<string> | undefined;
  return {
    username: first.username,
    password() {
      if (cached && now() - cached.readAt < ttlMs) return Promise.resolve(cached.value);
      reading ??= readDbSecret(sm, secretArn)
        .then(({ password }) => {
          cached = { value: password, readAt: now() };
          return password;
        })
        .finally(() => {
          reading = undefined;
        });
      return reading;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

function isInvalidPassword(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === INVALID_PASSWORD
  );
}

const isTemplateCall = (args: unknown[]) => Array.isArray(args[0]) && 'raw' in (args[0] as object);

/**
 * `sql` whose queries (`sql\`…\``, `sql.unsafe`) and transactions (`sql.begin`) run once more
 * after an invalid-password error, calling `onInvalidPassword` first. Everything else
 * (`sql(identifier)`, `sql.json`, `sql.end`, …) is `sql` itself. A query used as a fragment
 * inside another is never awaited itself, so it stays untouched.
 */
export function retryOnInvalidPassword(sql: postgres.Sql, onInvalidPassword: () => void): postgres.Sql {
  const again = <T>(run: () => PromiseLike<T>): Promise<T> =>
    Promise.resolve(run()).catch((error: unknown) => {
      if (!isInvalidPassword(error)) throw error;
      onInvalidPassword();
      return run();
    });
  /** Make awaiting `query` run it, and on 28P01 run `rerun()` instead (a fresh query). */
  const retrying = <Q extends PromiseLike<unknown>>(query: Q, rerun: () => Q): Q => {
    const then = query.then.bind(query);
    let settled: Promise<unknown> | undefined;
    Object.defineProperty(query, 'then', {
      value: (onFulfilled?: (v: unknown) => unknown, onRejected?: (e: unknown) => unknown) => {
        settled ??= Promise.resolve({ then } as PromiseLike<unknown>).catch((error: unknown) => {
          if (!isInvalidPassword(error)) throw error;
          onInvalidPassword();
          return rerun();
        });
        return settled.then(onFulfilled, onRejected);
      },
    });
    return query;
  };
  return new Proxy(sql, {
    apply(target, thisArg, args: unknown[]) {
      const query = Reflect.apply(target, thisArg, args);
      if (!isTemplateCall(args)) return query;
      return retrying(query, () => Reflect.apply(target, thisArg, args));
    },
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'begin') {
        return (...args: unknown[]) => again(() => (value as (...a: unknown[]) => Promise<unknown>)(...args));
      }
      if (property === 'unsafe') {
        const unsafe = value as (...a: unknown[]) => PromiseLike<unknown>;
        return (...args: unknown[]) => retrying(unsafe(...args), () => unsafe(...args));
      }
      return value;
    },
  }) as postgres.Sql;
}

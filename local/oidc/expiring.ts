/**
 * The in-memory store behind both the authorization codes and the refresh tokens: random,
 * unguessable secrets, each standing for a value until it expires. Expired entries are swept
 * on every issue, so the map stays as small as what is still valid. Clock and generator are
 * injectable so tests never sleep.
 */
export interface ExpiringSecrets<T> {
  /** A new secret standing for `value` until now + ttl. */
  issue(value: T): string;
  /** The entry behind `secret`, expired or not (the caller says which is which). */
  get(secret: string): { value: T; expiresAt: number } | undefined;
  delete(secret: string): void;
}

export function createExpiringSecrets<T>(
  now: () => number,
  newSecret: () => string,
  ttlMs: number,
): ExpiringSecrets<T> {
  const entries = new Map<string, { value: T; expiresAt: number }>();
  return {
    issue(value) {
      const t = now();
      for (const [secret, entry] of entries) if (entry.expiresAt <= t) entries.delete(secret);
      const secret = newSecret();
      entries.set(secret, { value, expiresAt: now() + ttlMs });
      return secret;
    },
    get: (secret) => entries.get(secret),
    delete: (secret) => {
      entries.delete(secret);
    },
  };
}

/**
 * API keys (SPEC §9): their format, their display prefix and the hash they are stored under.
 * Pure: the random bytes of a new key come in as an argument.
 *
 * A key is `sck_` + base64url of 32 random bytes (256 bits, 43 characters). Only SHA-256 of the
 * whole key is stored: with 256 bits of entropy a fast hash is enough (no dictionary to attack),
 * and a lookup by hash under a unique index compares the secret nowhere in our code, so no early
 * exit can leak how much of a guessed key was right.
 */
import { createHash } from 'node:crypto';

const KEY_PREFIX = 'sck_';
export const KEY_RANDOM_BYTES = 32;
/** Characters of the key shown in lists: the first 8 after `sck_`. */
const DISPLAY_PREFIX_LENGTH = 8;
/** Active (unrevoked) keys a user may hold at once. */
export const MAX_ACTIVE_KEYS = 10;

/** base64url of 32 bytes is 43 characters without padding. */
const KEY_PATTERN = /^sck_[A-Za-z0-9_-]{43}$/;

export interface NewKey {
  /** The secret, shown to its owner once. */
  key: string;
  prefix: string;
  /** SHA-256 of the key, hex: what the database keeps. */
  hash: string;
}

/** Build a key from 32 random bytes (the caller draws them from a CSPRNG). */
export function newKey(random: Uint8Array): NewKey {
  if (random.length !== KEY_RANDOM_BYTES) throw new RangeError(`need ${KEY_RANDOM_BYTES} random bytes`);
  const key = `${KEY_PREFIX}${Buffer.from(random).toString('base64url')}`;
  return { key, prefix: displayPrefix(key), hash: hashKey(key) };
}

function displayPrefix(key: string): string {
  return key.slice(KEY_PREFIX.length, KEY_PREFIX.length + DISPLAY_PREFIX_LENGTH);
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** True when a bearer credential claims to be an API key (it starts with `sck_`). */
export const looksLikeKey = (credential: string): boolean => credential.startsWith(KEY_PREFIX);

/** True when `credential` has the exact shape of a key we issue (no database needed to refuse others). */
export const isWellFormedKey = (credential: string): boolean => KEY_PATTERN.test(credential);

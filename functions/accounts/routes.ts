/**
 * The route wrappers every handler uses, with the accounts domain's API-key lookup injected
 * into the platform's (platform/api.ts `routesWith`): the platform layer knows how to
 * authenticate, not where keys live.
 */
import { routesWith } from '../platform/api';
import { defaultKeyStore } from './key-store';

export const { authenticatedRoute, credentialRoute } = routesWith(async (hash) =>
  (await defaultKeyStore()).authenticate(hash),
);

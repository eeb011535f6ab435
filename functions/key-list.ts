/** GET /api/keys — the caller's API keys without secrets, newest first, revoked ones included. */
import { defaultKeyStore } from './accounts/key-store';
import { authenticatedRoute } from './accounts/routes';
import { json } from './platform/http';

export const handler = authenticatedRoute('key-list', async ({ user }) => {
  const store = await defaultKeyStore();
  return json(200, { keys: await store.list(user.sub) });
});

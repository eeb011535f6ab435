import { join } from 'node:path';
import postgres from 'postgres';
import { migrate } from '../functions/platform/migrations';
import { explainAtScale } from './explain-at-scale';
import { withBenchServer } from './write-cost';

await withBenchServer(async (server) => {
  const sql = postgres(server.urlFor('postgres'), { max: 2, onnotice: () => {} });
  await migrate(sql, join(import.meta.dirname, '../migrations'));
  await explainAtScale(sql, console.log);
  await sql.end();
});

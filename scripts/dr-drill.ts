/**
 * `npm run dr-drill -- [--quick] [--keep]`: the disaster-recovery drill (docs/operations.md):
 * a real point-in-time restore of PostgreSQL on this machine with the Flexprice stand-in, the
 * stream re-read, adoption and the journal re-applied, then the checks. Prints the RPO and RTO
 * achieved, analyses lost after T, events adopted and check-ledger's verdict. Needs nothing but
 * `npm ci`. Exit 0 when every check holds, 1 otherwise. `--keep` leaves its folder for a look.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDrill } from './lib/dr/drill';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
  strict: true,
});
const dir = await mkdtemp(join(tmpdir(), 'dr-drill-'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const started = Date.now();
try {
  const r = await runDrill({
    dir,
    analysesBefore: values.quick ? 4 : 40,
    analysesAfter: values.quick ? 3 : 30,
    ticks: values.quick ? 20 : 500,
    log: (line) => console.log(line),
  });
  for (const line of r.reconciliation) console.log(`   reconcile ${line}`);
  console.log(
    `   journal: ${r.journal.applied} applied, ${r.journal.unchanged} already in effect${r.journal.unresolved.map((u) => `\n   TO DO: ${u}`).join('')}`,
  );
  for (const [check, ok] of Object.entries(r.checks)) console.log(`   ${ok ? 'ok  ' : 'FAIL'} ${check}`);
  console.log(
    `RPO achieved: ${seconds(r.rpoMs)} (failure minus restore target ${r.restoreTarget}; objective ≤ 300 s)`,
  );
  console.log(`RTO achieved: ${seconds(r.rtoMs)} (failure to checks done; objective ≤ 3600 s)`);
  console.log(
    `analyses lost after T: ${r.lostAnalyses} of ${r.analysesAfterT} answered after T were not in history after the restore`,
  );
  console.log(`events adopted: ${r.adopted}`);
  console.log(`check-ledger: ${r.checkLedger}`);
  console.log(`drill ${r.ok ? 'PASSED' : 'FAILED'} in ${seconds(Date.now() - started)}`);
  process.exitCode = r.ok ? 0 : 1;
} catch (error) {
  console.error(`drill could not run: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  if (values.keep) console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

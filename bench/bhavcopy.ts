/**
 * Bhavcopy import: a year of daily files (250 sessions × 2,500 rows, UDiFF, plain CSV) generated
 * in a temporary folder and imported the way `npm run import-bhavcopy` does, one statement per
 * file. Prints the time and rows/s. SPEC §11: "takes minutes at most".
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from '../functions/platform/db';
import { bhavcopySummaryLine, importBhavcopyFiles } from '../scripts/lib/history-files';

const FILES = 250;
const ROWS = 2_500;
const HEADER =
  'TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,XpryDt,FininstrmActlXpryDt,StrkPric,OptnTp,FinInstrmNm,OpnPric,HghPric,LwPric,ClsPric,LastPric,PrvsClsgPric,UndrlygPric,SttlmPric,OpnIntrst,ChngInOpnIntrst,TtlTradgVol,TtlTrfVal,TtlNbOfTxsExctd,SsnId,NewBrdLotQty,Rmks,Rsvd1,Rsvd2,Rsvd3,Rsvd4';

/** A plausible file: every symbol's prices move a little from session to session. */
function file(session: string, day: number): string {
  const lines = [HEADER];
  for (let i = 0; i < ROWS; i++) {
    const base = 100 + ((i * 7919 + day * 13) % 5_000);
    const [open, high, low, close] = [base, base + 3, base - 2, base + 1].map((p) => p.toFixed(2));
    lines.push(
      `${session},${session},CM,NSE,STK,${i},INE${String(i).padStart(6, '0')}000,SYM${String(i).padStart(4, '0')},EQ,,,,,BENCH ${i},${open},${high},${low},${close},${close},${open},,${close},,,${1_000 + i * day},1,1,F1,1,,,,,`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function benchBhavcopy(sql: Sql): Promise<{ seconds: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-bhavcopy-'));
  try {
    const paths: string[] = [];
    for (let day = 0, t = Date.UTC(2025, 0, 1); paths.length < FILES; t += 86_400_000) {
      const weekday = new Date(t).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      const session = new Date(t).toISOString().slice(0, 10);
      const path = join(dir, `BhavCopy_NSE_CM_0_0_0_${session.replaceAll('-', '')}_F_0000.csv`);
      await writeFile(path, file(session, day++));
      paths.push(path);
    }
    await sql`TRUNCATE daily_bars`;
    const summary = await importBhavcopyFiles(sql, paths, () => {});
    console.log(
      `bhavcopy import: a year of files, ${FILES} × ${ROWS.toLocaleString('en')} rows (target: minutes at most)`,
    );
    console.log(`  ${bhavcopySummaryLine(summary)}`);
    return { seconds: summary.seconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Bench steps that run the real handlers in-process do so in a child process of their own, so
 * their database client, token issuer and config never mix with a running local server or with
 * the parent's. The protocol: the child prints its result as one JSON line, the last on stdout.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..');

/** Child side: print `result` as the one JSON line the parent reads. */
export function printResult(result: unknown): void {
  console.log(JSON.stringify(result));
}

/**
 * Parent side: runs `bench/<script>` under tsx with `env` added to this process's environment,
 * and resolves with the JSON of the last line it printed. Rejects if the child fails (the
 * error carries its stderr) or its last line is not JSON.
 */
export async function runChild<T>(
  script: string,
  env: Record<string, string>,
  options: { timeout?: number } = {},
): Promise<T> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, script)],
    { env: { ...process.env, ...env }, cwd: ROOT, timeout: options.timeout },
  );
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`bench/${script} printed no JSON result line; its last line: ${last.slice(0, 200)}`);
  }
}

/**
 * An npm command's script run as a user runs it (`npx tsx scripts/<name>.ts …`), in a process of
 * its own; its exit code and output are what the test asserts, a failing exit included.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<ScriptResult> {
  try {
    const out = await promisify(execFile)('npx', ['tsx', script, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as ScriptResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

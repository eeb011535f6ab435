/**
 * `npm start` as a child process, for the end-to-end test and the benchmark: started in a
 * process group of its own so that stopping it signals the whole group, as Ctrl-C in a terminal
 * does (npm, tsx, node and PostgreSQL all receive it).
 */
import { spawn } from 'node:child_process';
import { ROOT } from './stack';

export interface StackProcess {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** The token it printed. */
  token(): string;
  /** Signal the group and wait until every process has closed its output (≤ 20 s). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL the group (cleanup after a failure); never throws. */
  kill(): void;
}

export async function startStackProcess(
  env: Record<string, string>,
  readyWithinMs = 90_000,
): Promise<StackProcess> {
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  // 'close' (not 'exit'): npm may exit first; the pipe closes when every process holding it has.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid ?? 0), signal);
    } catch {
      // already gone
    }
  };
  const running: StackProcess = {
    output: () => output,
    token: () => {
      const token = /^export TOKEN=(\S+)$/m.exec(output)?.[1];
      if (!token) throw new Error(`npm start printed no token:\n${output}`);
      return token;
    },
    async stop(signal = 'SIGINT') {
      signalGroup(signal);
      const done = await Promise.race([
        closed.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 20_000)),
      ]);
      if (!done) throw new Error(`npm start did not stop within 20 s:\n${output}`);
    },
    kill: () => signalGroup('SIGKILL'),
  };
  for (const deadline = Date.now() + readyWithinMs; !output.includes('Ready.'); ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      running.kill();
      const error = new Error(`npm start did not come up:\n${output}`);
      // scripts/start.ts says so when a port was taken: EADDRINUSE, so the caller may try others.
      throw /A port is taken/.test(output) ? Object.assign(error, { code: 'EADDRINUSE' }) : error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return running;
}

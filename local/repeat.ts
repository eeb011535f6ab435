/**
 * A periodic job for a long-running process (`npm start` runs the schedules AWS runs with
 * EventBridge): runs at once, then every `intervalMs` after the previous
 * run ended (runs never overlap); a failing run is logged and the next one tries again.
 */
export interface Repeating {
  /** Stop scheduling; resolves once an in-flight run has finished. */
  stop(): Promise<void>;
}

export function repeat(
  name: string,
  intervalMs: number,
  run: () => Promise<void>,
  log: (line: string) => void,
): Repeating {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = run()
      .catch((error: unknown) =>
        log(`${name} failed; retrying in ${intervalMs / 1000} s: ${(error as Error).message}`),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

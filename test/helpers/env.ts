/**
 * Environment swaps for tests: set some variables, run, put the old values back. Config is read
 * once and cached per section (functions/platform/config.ts), so the sections that read these
 * variables are reset before and after.
 */

/** A cached config section (`flexpriceConfig`, `priceListConfig`, `dbConfig`, …). */
export interface Resettable {
  reset(): void;
}

/**
 * Run `fn` with `vars` set (`undefined` unsets one), then restore every variable as it was,
 * also when `fn` throws. `sections` are reset on the way in and on the way out.
 */
export async function withEnv<T>(
  vars: Record<string, string | undefined>,
  sections: readonly Resettable[],
  fn: () => Promise<T> | T,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const s of sections) s.reset();
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

import { vi } from 'vitest';

/** Run with the clock (Date only) at `iso`; tokens are signed at that time too. */
export function at(iso: string): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
}

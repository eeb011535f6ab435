/**
 * The API client bound to the signed-in user, and a small hook for reading data with loading,
 * error and reload states (the screens need nothing more: no cache shared between screens).
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { type ApiClient, createApiClient } from './api-client';
import { useAuth } from './auth';

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ baseUrl, children }: { baseUrl: string; children: ReactNode }) {
  const { freshToken, expire } = useAuth();
  const client = useMemo(
    () => createApiClient({ baseUrl, getToken: freshToken, onSessionExpired: expire }),
    [baseUrl, freshToken, expire],
  );
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside ApiProvider');
  return client;
}

export interface Query<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Fetch again; `quiet` keeps the current data on screen while it loads (polling). */
  reload(quiet?: boolean): void;
}

/** GET `path` (null: nothing yet) and keep the answer; reloads when the path changes. */
export function useApiQuery<T>(path: string | null): Query<T> {
  const api = useApi();
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState({ n: 0, quiet: false });

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    if (!tick.quiet) setLoading(true);
    api
      .request<T>(path, { signal: controller.signal })
      .then((value) => {
        setData(value);
        setError(null);
      })
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(e);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [api, path, tick]);

  const reload = useCallback((quiet = false) => setTick((t) => ({ n: t.n + 1, quiet })), []);
  return { data, error, loading, reload };
}

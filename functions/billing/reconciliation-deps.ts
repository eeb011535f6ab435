/**
 * What a reconciliation needs from the deployment, built the same way for the scheduled
 * function (functions/reconcile.ts) and the admin route (functions/reconciliation-post.ts):
 * the Flexprice settings and key, the reconciliation settings, the database and a reader of
 * Flexprice's events. Each caller turns "cannot run" into its own answer (a result, or a 409).
 */
import { db } from '../platform/db';
import { flexpriceConfig, reconcileConfig } from './config';
import { FlexpriceKeyNotSetError, resolveApiKey } from './flexprice';
import type { ReconcileDeps } from './reconciliation';
import { flexpriceReader } from './reconciliation-provider';

/** The deployment's part of ReconcileDeps; the caller adds its logger and time budget. */
export type DeploymentDeps = Required<Pick<ReconcileDeps, 'sql' | 'reader' | 'config' | 'secrets'>>;

export type ReconciliationSetup =
  | { ready: true; deps: DeploymentDeps }
  /** `not_configured`: no Flexprice settings at all; `key_not_set`: its secret is still empty. */
  | { ready: false; reason: 'not_configured' | 'key_not_set' };

/** The dependencies of a reconciliation, or why this deployment cannot reconcile now. */
export async function reconciliationDeps(): Promise<ReconciliationSetup> {
  const flexprice = flexpriceConfig();
  if (!flexprice.enabled) return { ready: false, reason: 'not_configured' };
  let apiKey: string;
  try {
    apiKey = await resolveApiKey(flexprice.key);
  } catch (error) {
    if (error instanceof FlexpriceKeyNotSetError) return { ready: false, reason: 'key_not_set' };
    throw error;
  }
  const config = reconcileConfig();
  return {
    ready: true,
    deps: {
      sql: await db(),
      reader: flexpriceReader({
        ...config,
        apiUrl: flexprice.apiUrl,
        apiKey,
        timeoutMs: flexprice.timeoutMs,
      }),
      config,
      secrets: [apiKey, flexprice.apiUrl],
    },
  };
}

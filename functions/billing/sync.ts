/**
 * Billing sync — drains the outbox (migrations/0003) to Flexprice. In AWS an EventBridge
 * schedule invokes functions/billing-sync.ts every minute; locally local/billing-sync-loop.ts
 * runs `syncOnce` every few seconds. Our database stays the source of truth: a row is marked sent only after Flexprice
 * answered 202, and every (re)send carries the same event id and timestamp, so Flexprice counts
 * each charge once however often it is delivered (SPEC §6).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  afterFailure,
  type BillingEvent,
  backoffMs,
  classifyFailure,
  type Failure,
  type OutboxRow,
  toBillingEvent,
} from '../core/billing-sync';
import type { Sql } from '../platform/db';
import { MetricUnit } from '../platform/powertools';
import type { FlexpriceConfig } from './config';
import { type BillingProvider, FlexpriceKeyNotSetError, flexpriceProvider, resolveApiKey } from './flexprice';
import {
  claimDue,
  type FailedRow,
  markFailed,
  markSent,
  outboxSummary,
  rememberCustomers,
} from './outbox-store';

type EnabledConfig = Extract<FlexpriceConfig, { enabled: true }>;

/** The parts of Powertools the sync uses, so the local loop can pass quieter ones. */
export type SyncLogger = Pick<Logger, 'debug' | 'info' | 'warn'>;
export interface SyncMetrics {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
}

export interface SyncDeps {
  sql: Sql;
  client: BillingProvider;
  config: EnabledConfig;
  /** The clock (tests move it forward to make retries due). */
  now?: () => Date;
  logger: SyncLogger;
  metrics: SyncMetrics;
  /** Stop claiming new batches after this instant (the Lambda's remaining time). @default no limit */
  deadline?: number;
  /** @default 20 batches per run */
  maxBatches?: number;
  random?: () => number;
}

export interface SyncResult {
  claimed: number;
  sent: number;
  /** Attempts that failed and will be retried. */
  failed: number;
  /** Rows dead-lettered in this run. */
  deadLettered: number;
  pending: number;
  dead: number;
  oldestPendingAgeSeconds: number | null;
}

interface Outcome {
  rows: OutboxRow[];
  failure: Failure | null;
}

/**
 * Send `rows` in one bulk request. A permanent failure (a 4xx other than 429) of several rows is
 * bisected, so one malformed event is dead-lettered alone instead of taking its batch with it.
 */
async function send(client: BillingProvider, rows: OutboxRow[], secrets: string[]): Promise<Outcome[]> {
  if (rows.length === 0) return [];
  try {
    await client.ingest(rows.map(toBillingEvent) satisfies BillingEvent[]);
    return [{ rows, failure: null }];
  } catch (error) {
    const failure = classifyFailure(error, secrets);
    if (failure.retryable || rows.length === 1) return [{ rows, failure }];
    const half = Math.ceil(rows.length / 2);
    return [
      ...(await send(client, rows.slice(0, half), secrets)),
      ...(await send(client, rows.slice(half), secrets)),
    ];
  }
}

/**
 * One pass: claim due rows batch by batch, make sure their customers exist, send, and record
 * each row's outcome; then publish the backlog gauges. Safe to run concurrently with itself.
 */
export async function syncOnce(deps: SyncDeps): Promise<SyncResult> {
  const { sql, client, config, logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const secrets = [config.apiUrl, config.key.kind === 'value' ? config.key.value : ''];
  const result = { claimed: 0, sent: 0, failed: 0, deadLettered: 0 };

  for (let batch = 0; batch < (deps.maxBatches ?? 20); batch++) {
    if (deps.deadline !== undefined && Date.now() > deps.deadline) break;
    const rows = await claimDue(sql, now(), config.batchSize, config.leaseMs);
    if (rows.length === 0) break;
    result.claimed += rows.length;

    // Customers first, once each: a user whose customer cannot be created waits with its rows.
    const customerFailures = new Map<string, Failure>();
    const created: string[] = [];
    for (const sub of new Set(rows.filter((r) => !r.customerKnown).map((r) => r.userSub))) {
      try {
        await client.ensureCustomer(sub);
        created.push(sub);
      } catch (error) {
        customerFailures.set(sub, classifyFailure(error, secrets));
      }
    }
    await rememberCustomers(sql, created, now());

    const outcomes: Outcome[] = [...customerFailures].map(([sub, failure]) => ({
      rows: rows.filter((r) => r.userSub === sub),
      failure,
    }));
    outcomes.push(
      ...(await send(
        client,
        rows.filter((r) => !customerFailures.has(r.userSub)),
        secrets,
      )),
    );

    const sentIds: string[] = [];
    const failed: FailedRow[] = [];
    for (const { rows: group, failure } of outcomes) {
      if (!failure) {
        sentIds.push(...group.map((r) => r.eventId));
        continue;
      }
      logger.warn('billing sync: send failed', {
        rows: group.length,
        retryable: failure.retryable,
        reason: failure.reason,
      });
      const at = now();
      for (const row of group) {
        const next = afterFailure(row, failure, config.maxAttempts);
        failed.push({
          eventId: row.eventId,
          status: next === 'retry' ? 'pending' : 'dead',
          nextAttemptAt:
            next === 'retry' ? new Date(at.getTime() + backoffMs(row.attempts, config, random)) : at,
          error: failure.reason,
        });
      }
    }
    await markSent(sql, sentIds, now());
    await markFailed(sql, failed);
    const dead = failed.filter((f) => f.status === 'dead').length;
    result.sent += sentIds.length;
    result.failed += failed.length - dead;
    result.deadLettered += dead;
    if (rows.length < config.batchSize) break;
  }

  const summary = await outboxSummary(sql, now());
  metrics.addMetric('OutboxSent', MetricUnit.Count, result.sent);
  metrics.addMetric('OutboxFailed', MetricUnit.Count, result.failed);
  // A gauge, not a per-run count: the alarm stays on while any dead row waits for an operator.
  metrics.addMetric('OutboxDead', MetricUnit.Count, summary.dead);
  metrics.addMetric(
    'OutboxOldestPendingAgeSeconds',
    MetricUnit.Seconds,
    summary.oldestPendingAgeSeconds ?? 0,
  );
  if (result.claimed > 0 || result.deadLettered > 0)
    logger.info('billing sync: run done', { ...result, ...summary });
  return { ...result, ...summary };
}

/** Build the Flexprice client for `config`, or null (and a warning) while the key is unset. */
export async function providerFor(
  config: EnabledConfig,
  logger: SyncLogger,
): Promise<BillingProvider | null> {
  try {
    return flexpriceProvider(config, await resolveApiKey(config.key));
  } catch (error) {
    if (!(error instanceof FlexpriceKeyNotSetError)) throw error;
    logger.warn('billing sync: Flexprice key not set; see docs/billing.md', { reason: error.message });
    return null;
  }
}

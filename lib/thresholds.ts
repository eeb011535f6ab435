/**
 * Alarm thresholds, each with the reason it is where it is. Stage-dependent ones live in
 * lib/config.ts (`StageConfig.db`).
 */
export const THRESHOLDS = {
  /** Ticks are real-time data: 5 minutes behind for 3 minutes means the consumer is stuck. */
  iteratorAgeMs: 5 * 60 * 1000,
  /** Any message means a range of ticks was skipped and needs a replay. */
  failureQueueDepth: 1,
  /** A few bad records happen; 10 in 5 minutes means a producer is sending garbage. */
  quarantinedPer5Min: 10,
  /**
   * Records the consumer could not apply (database errors) come back as batch item failures,
   * which Lambda's Errors metric never counts. Any of them means the database was failing.
   */
  failedRecordsPer5Min: 1,
  /** Handlers turn expected failures into 4xx; 5 server errors in 5 minutes is an incident. */
  api5xxPer5Min: 5,
  dbCpuPercent: 80,
  /**
   * 2 GiB free: 10 % of the 20 GB first allocation. Storage autoscaling grows the volume before
   * this, so the alarm means autoscaling is at its maximum or cannot keep up.
   */
  dbFreeStorageBytes: 2 * 1024 ** 3,
  /**
   * `prepare: false` and no session state: no session should ever be pinned. A pinned session
   * holds a server connection for its client's lifetime and defeats the proxy.
   */
  proxyPinnedSessions: 1,
  /** Any dead-lettered outbox row is a charge Flexprice will not get without an operator. */
  outboxDead: 1,
  /**
   * The sync runs every minute and backs off up to an hour per row; 15 minutes of backlog means
   * Flexprice (or the key, or the egress path) has been failing for several runs.
   */
  outboxOldestPendingAgeSeconds: 900,
  /**
   * 401s counted by the functions (platform/api.ts). Expired tokens happen (clients refresh on
   * 401), but 100 in 5 minutes means a client is stuck on a revoked key, or someone is guessing
   * keys or replaying tokens.
   */
  authFailuresPer5Min: 100,
} as const;

/**
 * The billing provider as the sync sees it, and its Flexprice implementation (`@flexprice/sdk`).
 *
 * The SDK's own retries are off (`strategy: 'none'`): a failed request is retried by the sync on
 * a later run with backoff (functions/core/billing-sync.ts), so one invocation never sleeps
 * through an outage and every attempt is counted in the outbox.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FlexpriceCore } from '@flexprice/sdk/core.js';
import { customersCreateCustomer } from '@flexprice/sdk/funcs/customers-create-customer.js';
import { eventsIngestEventsBulk } from '@flexprice/sdk/funcs/events-ingest-events-bulk.js';
import { FlexPriceError } from '@flexprice/sdk/sdk/models/flex-price-error.js';
import { ResponseValidationError } from '@flexprice/sdk/sdk/models/response-validation-error.js';
import type { BillingEvent } from '../core/billing-sync';
import type { FlexpriceConfig, FlexpriceKeySource } from './config';

export interface BillingProvider {
  /** Make sure the provider has a customer with this external id ("already exists" is fine). */
  ensureCustomer(externalId: string): Promise<void>;
  /** Send up to 1,000 events; resolves only when the provider accepted them (202). */
  ingest(events: BillingEvent[]): Promise<void>;
}

/** The key's secret still holds the placeholder CDK created: sync stays off until it is set. */
export class FlexpriceKeyNotSetError extends Error {
  override name = 'FlexpriceKeyNotSetError';
}

/**
 * The secret's value: the bare API key, or JSON `{"apiKey": "..."}`. The JSON placeholder that
 * CDK generates (`{"placeholder": true, ...}`) means "not set yet".
 */
export function parseKeySecret(value: string | undefined): string {
  const text = (value ?? '').trim();
  if (text.startsWith('{')) {
    let parsed: { apiKey?: unknown; placeholder?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new FlexpriceKeyNotSetError('The Flexprice key secret is neither a key nor JSON');
    }
    if (parsed.placeholder === true || typeof parsed.apiKey !== 'string' || parsed.apiKey.trim() === '') {
      throw new FlexpriceKeyNotSetError('The Flexprice key secret still holds its placeholder');
    }
    return parsed.apiKey.trim();
  }
  if (text === '') throw new FlexpriceKeyNotSetError('The Flexprice key secret is empty');
  return text;
}

let cachedKey: { arn: string; key: Promise<string> } | undefined;

/** The API key: from the environment, or from Secrets Manager once per container (failures are not cached). */
export function resolveApiKey(source: FlexpriceKeySource, sm?: SecretsManagerClient): Promise<string> {
  if (source.kind === 'value') return Promise.resolve(source.value);
  if (cachedKey?.arn !== source.secretArn) {
    const key = (sm ?? new SecretsManagerClient({}))
      .send(new GetSecretValueCommand({ SecretId: source.secretArn }))
      .then((out) => parseKeySecret(out.SecretString));
    key.catch(() => {
      if (cachedKey?.key === key) cachedKey = undefined;
    });
    cachedKey = { arn: source.secretArn, key };
  }
  return cachedKey.key;
}

/** Forget the cached key (tests; after an operator rotates it, a new container reads it anyway). */
export function resetApiKeyCache(): void {
  cachedKey = undefined;
}

type EnabledConfig = Extract<FlexpriceConfig, { enabled: true }>;

/** A 2xx whose body the SDK's strict schema rejected: the provider did accept the request. */
function acceptedAnyway(error: unknown, status: number): boolean {
  return error instanceof ResponseValidationError && error.statusCode === status;
}

/** Flexprice answers a duplicate external id with 409, some versions with 400 "already exists". */
function alreadyExists(error: unknown): boolean {
  if (!(error instanceof FlexPriceError)) return false;
  if (error.statusCode === 409) return true;
  return error.statusCode === 400 && /already exists/i.test(`${error.message} ${error.body}`);
}

/**
 * Built on the SDK's standalone functions (`FlexpriceCore` + `funcs/*`), the tree-shakeable form
 * of `new Flexprice(...).events.ingestEventsBulk(...)`: the bundle carries two operations, not
 * the whole API. They return a Result instead of throwing; the error types are the same.
 */
export function flexpriceProvider(config: EnabledConfig, apiKey: string): BillingProvider {
  const client = new FlexpriceCore({
    serverURL: config.apiUrl,
    apiKeyAuth: apiKey,
    timeoutMs: config.timeoutMs,
    retryConfig: { strategy: 'none' },
  });
  return {
    async ensureCustomer(externalId) {
      const res = await customersCreateCustomer(client, { externalId, name: externalId });
      if (res.ok || alreadyExists(res.error) || acceptedAnyway(res.error, 201)) return;
      throw res.error;
    },
    async ingest(events) {
      if (events.length === 0) return;
      const res = await eventsIngestEventsBulk(client, { events });
      if (res.ok || acceptedAnyway(res.error, 202)) return;
      throw res.error;
    },
  };
}

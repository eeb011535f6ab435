/**
 * The one reconciliation setup (functions/billing/reconciliation-deps.ts) that the reconcile
 * Lambda, the admin route and `npm run reconcile` share: off without Flexprice settings, "key
 * not set" while the key's secret holds CDK's placeholder (Secrets Manager mocked: it cannot
 * run here), and ready with the key and URL marked secret otherwise.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flexpriceConfig, reconcileConfig } from '../../functions/billing/config';
import { resetApiKeyCache } from '../../functions/billing/flexprice';
import { reconciliationDeps } from '../../functions/billing/reconciliation-deps';
import { closeDb } from '../../functions/platform/db';
import { handler as reconcile } from '../../functions/reconcile';
import { withEnv } from '../helpers/env';

const KEY_SECRET = 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:flexprice-AbCdEf';
const OFF = {
  FLEXPRICE_API_KEY: undefined,
  FLEXPRICE_API_KEY_SECRET_ARN: undefined,
  FLEXPRICE_API_URL: undefined,
};
const sections = [flexpriceConfig, reconcileConfig];
const sm = mockClient(SecretsManagerClient);

beforeEach(() => {
  sm.reset();
  resetApiKeyCache();
});
afterEach(async () => {
  resetApiKeyCache();
  await closeDb();
});

describe('reconciliationDeps', () => {
  it('is not configured without Flexprice settings, and the Lambda then reports itself off', async () => {
    await withEnv(OFF, sections, async () => {
      expect(await reconciliationDeps()).toEqual({ ready: false, reason: 'not_configured' });
      expect(await reconcile({ job: 'daily' })).toEqual({ enabled: false });
    });
  });

  it('says the key is not set while its secret holds the placeholder, and the Lambda says so', async () => {
    sm.on(GetSecretValueCommand, { SecretId: KEY_SECRET }).resolves({
      SecretString: JSON.stringify({ placeholder: true }),
    });
    await withEnv({ ...OFF, FLEXPRICE_API_KEY_SECRET_ARN: KEY_SECRET }, sections, async () => {
      expect(await reconciliationDeps()).toEqual({ ready: false, reason: 'key_not_set' });
      resetApiKeyCache();
      expect(await reconcile({ job: 'daily' })).toEqual({ enabled: true, keySet: false });
    });
  });

  it('is ready with the key from the secret, the key and URL kept out of stored errors', async () => {
    sm.on(GetSecretValueCommand, { SecretId: KEY_SECRET }).resolves({ SecretString: 'fp_live_key' });
    const url = 'https://flexprice.example/v1';
    await withEnv(
      { ...OFF, FLEXPRICE_API_KEY_SECRET_ARN: KEY_SECRET, FLEXPRICE_API_URL: url },
      sections,
      async () => {
        const setup = await reconciliationDeps();
        expect(setup.ready).toBe(true);
        if (!setup.ready) return;
        expect(setup.deps.secrets).toEqual(['fp_live_key', url]);
        expect(setup.deps.config).toEqual(reconcileConfig());
        expect(typeof setup.deps.reader.listEvents).toBe('function');
      },
    );
  });

  it('lets a Secrets Manager outage through (a failure, not "key not set")', async () => {
    sm.on(GetSecretValueCommand, { SecretId: KEY_SECRET }).rejects(new Error('throttled'));
    await withEnv({ ...OFF, FLEXPRICE_API_KEY_SECRET_ARN: KEY_SECRET }, sections, async () => {
      await expect(reconciliationDeps()).rejects.toThrow('throttled');
    });
  });
});

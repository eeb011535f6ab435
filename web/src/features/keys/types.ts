/**
 * API keys (SPEC §9), generated from docs/openapi.json (`npm run api-types`): `ApiKey` is a
 * listed key; `CreatedKey` is the answer to creating one, the only time its secret is shown.
 */
export type { ApiKey, NewApiKey as CreatedKey } from '../../lib/api-types.generated';

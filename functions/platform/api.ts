/**
 * What every authenticated route shares at cold start: the token verifier built from the
 * checked auth configuration, and user creation on first sight.
 */
import { createVerifier } from './auth';
import { authConfig } from './config';
import { type ApiRequest, apiHandler, type HttpResult, type LambdaHttpHandler } from './http';
import { powertools } from './powertools';
import { ensureUser } from './users';

const verifier = createVerifier(authConfig());

/** Build the Lambda handler of an authenticated route named `service`. */
export function authenticatedRoute(
  service: string,
  core: (req: ApiRequest, tools: ReturnType<typeof powertools>) => Promise<HttpResult>,
): LambdaHttpHandler {
  const tools = powertools(service);
  return apiHandler((req) => core(req, tools), { ...tools, verifier, onUser: ensureUser });
}

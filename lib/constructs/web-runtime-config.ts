/**
 * What the web app reads at start-up from `/config.json` (web/src/lib/config.ts): the
 * deployment's API and sign-in settings, so one build (`web/dist`) serves every stage. Written
 * at deploy time from the stacks' values by WebContentStack; `npm start` serves the same shape
 * for the local issuer. The app derives its redirect URLs from its own origin (the CloudFront
 * URL here, which is what the app client allows).
 */
import { OAUTH_SCOPES } from './auth';

export interface WebRuntimeConfig {
  /** Base URL of the HTTP API, ending in `/` (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  readonly apiBaseUrl: string;
  /** OIDC issuer; discovery at `<authority>/.well-known/openid-configuration`. */
  readonly authority: string;
  readonly clientId: string;
  /** Space-separated; includes the scope the API's JWT authorizer requires. */
  readonly scope: string;
  /**
   * Cognito's discovery document has no `end_session_endpoint`; the app signs out at
   * `<logoutUrl>?client_id=…&logout_uri=<its origin>/`.
   */
  readonly logoutUrl: string;
}

export interface WebRuntimeConfigInput {
  readonly apiBaseUrl: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly managedLoginUrl: string;
}

export function webRuntimeConfig(input: WebRuntimeConfigInput): WebRuntimeConfig {
  return {
    apiBaseUrl: input.apiBaseUrl,
    authority: input.issuer,
    clientId: input.clientId,
    scope: OAUTH_SCOPES.join(' '),
    logoutUrl: `${input.managedLoginUrl}/logout`,
  };
}

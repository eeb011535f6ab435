/**
 * What the web app reads at start-up from `/config.json`: the deployment's API and sign-in
 * settings, so one build (`web/dist`) serves every stage. Written at deploy time from the
 * stacks' values by WebContentStack; `npm start` serves the same shape for the local issuer.
 */
import { OAUTH_SCOPES } from './auth';

export interface WebRuntimeConfig {
  readonly stage: string;
  /** Base URL of the HTTP API, ending in `/` (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  readonly apiBaseUrl: string;
  readonly oidc: {
    /** OIDC issuer; discovery at `<authority>/.well-known/openid-configuration`. */
    readonly authority: string;
    readonly clientId: string;
    readonly redirectUri: string;
    readonly postLogoutRedirectUri: string;
    /** Space-separated; must include the API's required scope. */
    readonly scope: string;
    /**
     * Cognito's discovery document has no `end_session_endpoint`; sign-out goes to
     * `<endSessionEndpoint>?client_id=…&logout_uri=<postLogoutRedirectUri>`.
     */
    readonly endSessionEndpoint: string;
  };
}

export interface WebRuntimeConfigInput {
  readonly stage: string;
  readonly apiBaseUrl: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly siteUrl: string;
  readonly managedLoginUrl: string;
}

export function webRuntimeConfig(input: WebRuntimeConfigInput): WebRuntimeConfig {
  return {
    stage: input.stage,
    apiBaseUrl: input.apiBaseUrl,
    oidc: {
      authority: input.issuer,
      clientId: input.clientId,
      redirectUri: input.siteUrl,
      postLogoutRedirectUri: input.siteUrl,
      scope: OAUTH_SCOPES.join(' '),
      endSessionEndpoint: `${input.managedLoginUrl}/logout`,
    },
  };
}

/**
 * Runtime settings, read from `/config.json` at start so one build serves every stage:
 * written by `npm start` locally and at deploy in AWS.
 */
export interface AppConfig {
  /** Base URL of the HTTP API; '' means the page's own origin. */
  apiBaseUrl: string;
  /** OIDC issuer whose `/.well-known/openid-configuration` the client reads (Cognito user pool or local issuer). */
  authority: string;
  clientId: string;
  /** Space-separated OAuth scopes (Cognito: `openid email aws.cognito.signin.user.admin`). */
  scope: string;
  /** Cognito's logout endpoint (it has no OIDC end_session_endpoint); absent → the issuer's end-session. */
  logoutUrl?: string;
}

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: ${res.status}`);
  const raw = (await res.json()) as Partial<AppConfig>;
  if (typeof raw.authority !== 'string' || typeof raw.clientId !== 'string')
    throw new Error('config.json lacks authority or clientId');
  return {
    apiBaseUrl: raw.apiBaseUrl ?? '',
    authority: new URL(raw.authority, window.location.origin).toString().replace(/\/$/, ''),
    clientId: raw.clientId,
    scope: raw.scope ?? 'openid',
    logoutUrl: raw.logoutUrl,
  };
}

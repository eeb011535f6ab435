/**
 * Sign-in with OIDC authorization code + PKCE through oidc-client-ts: the same code path for
 * Cognito managed login and the local issuer. Tokens live in sessionStorage (the library's
 * default store, named here so it never becomes localStorage); the code and state are removed
 * from the address bar right after the exchange. Access tokens are short (15 minutes in prod)
 * and renewed in the background with the refresh token; "Sign out" revokes the refresh token.
 */
import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { AppConfig } from './config';

export type AuthStatus = 'loading' | 'signed-out' | 'expired' | 'signed-in' | 'error';

export interface Auth {
  status: AuthStatus;
  /**
   * The name to show: the ID token's `email`, else the access token's `username` (Cognito's
   * username is a UUID when users sign in by e-mail, so it is only the fallback).
   */
  displayName: string | null;
  /**
   * The access token for the next API call: renewed with the refresh token first when it has
   * run out (a tab that slept, whose renewal timer the browser held back).
   */
  freshToken(): Promise<string | null>;
  error: string | null;
  signIn(): Promise<void>;
  signOut(): Promise<void>;
  /** The API refused the token: drop it and ask for a new sign-in (drafts stay). */
  expire(): void;
}

const AuthContext = createContext<Auth | null>(null);

function claims(token: string): Record<string, unknown> {
  try {
    const part = token.split('.')[1] ?? '';
    const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Cognito's revocation endpoint, on the managed-login domain beside `/logout`. Named here so
 * revocation does not depend on the user pool's discovery document listing it; the local
 * issuer advertises its own in discovery.
 */
function cognitoRevocationEndpoint(config: AppConfig): { revocation_endpoint: string } | undefined {
  return config.logoutUrl
    ? { revocation_endpoint: new URL('/oauth2/revoke', config.logoutUrl).toString() }
    : undefined;
}

/**
 * One manager per configuration for the page's lifetime: each runs its own renewal timers, so
 * a second one (React may run a memo twice) would renew the same session in parallel.
 */
const managers = new WeakMap<AppConfig, UserManager>();
function userManagerFor(config: AppConfig): UserManager {
  let manager = managers.get(config);
  if (!manager) {
    manager = createUserManager(config);
    managers.set(config, manager);
  }
  return manager;
}

function createUserManager(config: AppConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: `${origin}/`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    scope: config.scope,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    metadataSeed: cognitoRevocationEndpoint(config),
    // Renewal uses the refresh token (the token endpoint's refresh_token grant), a minute before
    // the access token expires. Never an iframe: Cognito supports neither prompt=none nor
    // session iframes. When renewal fails (refresh token revoked or expired), the session
    // expires as before: back to sign-in with the typed portfolio kept.
    automaticSilentRenew: true,
    // Cognito's /oauth2/revoke accepts refresh tokens only (an access token is
    // unsupported_token_type); revoking it also ends the access tokens issued from it.
    revokeTokenTypes: ['refresh_token'],
    monitorSession: false,
    loadUserInfo: false,
  });
}

/** The redirect back from the issuer, handled once even when React runs effects twice. */
let callback: Promise<User | undefined> | null = null;
function completeSignIn(manager: UserManager): Promise<User | undefined> {
  const params = new URLSearchParams(window.location.search);
  if (!(params.has('state') && (params.has('code') || params.has('error'))))
    return Promise.resolve(undefined);
  callback ??= manager.signinCallback().finally(() => {
    // No code or state left in the address bar or the history entry.
    window.history.replaceState(null, '', window.location.pathname);
  });
  return callback;
}

export function AuthProvider({ config, children }: { config: AppConfig; children: ReactNode }) {
  const manager = useMemo(() => userManagerFor(config), [config]);
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<AuthStatus>('loading');
  const [error, setError] = useState<string | null>(null);
  const leaving = useRef(false);
  const current = useRef<User | null>(null);
  current.current = user;
  const renewing = useRef<Promise<User | null> | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const back = await completeSignIn(manager);
        const target = typeof back?.url_state === 'string' ? back.url_state : null;
        if (target?.startsWith('/')) window.history.replaceState(null, '', target);
        let current = back ?? (await manager.getUser());
        // Back on the page after the access token ran out: the refresh token renews it quietly.
        if (current?.expired && current.refresh_token)
          current = await manager.signinSilent().catch(() => current ?? null);
        if (!live) return;
        if (current && !current.expired) {
          setUser(current);
          setStatus('signed-in');
        } else {
          if (current) await manager.removeUser();
          setStatus(current ? 'expired' : 'signed-out');
        }
      } catch (e) {
        if (!live) return;
        setError((e as Error).message);
        setStatus('error');
      }
    })();
    const onExpired = () => {
      setUser(null);
      setStatus('expired');
      void manager.removeUser();
    };
    // A silent renewal stores the new tokens and announces them here; the page stays as it is.
    const onLoaded = (renewed: User) => {
      // A renewal that was already under way when "Sign out" began must not sign back in.
      if (leaving.current) void manager.removeUser();
      else if (live) setUser(renewed);
    };
    manager.events.addAccessTokenExpired(onExpired);
    manager.events.addUserLoaded(onLoaded);
    return () => {
      live = false;
      manager.events.removeAccessTokenExpired(onExpired);
      manager.events.removeUserLoaded(onLoaded);
    };
  }, [manager]);

  const signIn = useCallback(
    () => manager.signinRedirect({ url_state: window.location.pathname }),
    [manager],
  );
  const signOut = useCallback(async () => {
    const idToken = user?.id_token;
    leaving.current = true;
    manager.stopSilentRenew();
    try {
      // Ends the session at the issuer: the refresh token can no longer renew it.
      await manager.revokeTokens(['refresh_token']);
    } catch {
      // Unreachable issuer: sign out here anyway. The token is dropped with the user below, so
      // nobody holds it; it lapses with its 30-day lifetime.
    }
    await manager.removeUser();
    setUser(null);
    if (config.logoutUrl) {
      // Cognito's own logout endpoint (no OIDC end_session_endpoint there).
      const url = new URL(config.logoutUrl);
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('logout_uri', `${window.location.origin}/`);
      window.location.assign(url.toString());
      return;
    }
    await manager.signoutRedirect({ id_token_hint: idToken });
  }, [manager, user, config]);
  const freshToken = useCallback(async () => {
    const held = current.current;
    // A few seconds of margin, so the token does not run out on its way to the API.
    const runningOut = (held?.expires_in ?? Number.POSITIVE_INFINITY) < 5;
    if (!held || !runningOut || !held.refresh_token) return held?.access_token ?? null;
    // One renewal for all the calls that find the token expired at the same moment.
    renewing.current ??= manager
      .signinSilent()
      .catch(() => null)
      .finally(() => {
        renewing.current = null;
      });
    const renewed = await renewing.current;
    return (renewed ?? held).access_token;
  }, [manager]);
  const expire = useCallback(() => {
    setUser(null);
    setStatus('expired');
    void manager.removeUser();
  }, [manager]);

  const value = useMemo<Auth>(() => {
    const accessToken = user?.access_token ?? null;
    const email = user?.profile.email;
    const username = accessToken ? claims(accessToken).username : null;
    const name = typeof email === 'string' && email ? email : username;
    return {
      status,
      displayName: typeof name === 'string' ? name : null,
      freshToken,
      error,
      signIn,
      signOut,
      expire,
    };
  }, [user, status, error, freshToken, signIn, signOut, expire]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

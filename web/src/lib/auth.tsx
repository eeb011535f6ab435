/**
 * Sign-in with OIDC authorization code + PKCE through oidc-client-ts: the same code path for
 * Cognito managed login and the local issuer. Tokens live in sessionStorage (the library's
 * default store, named here so it never becomes localStorage); the code and state are removed
 * from the address bar right after the exchange.
 */
import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { AppConfig } from './config';

export type AuthStatus = 'loading' | 'signed-out' | 'expired' | 'signed-in' | 'error';

export interface Auth {
  status: AuthStatus;
  /** The access token's `username` claim. */
  username: string | null;
  accessToken: string | null;
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

export function createUserManager(config: AppConfig): UserManager {
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
    // Cognito supports neither prompt=none nor session iframes: an expired session means a new sign-in.
    automaticSilentRenew: false,
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
  const manager = useMemo(() => createUserManager(config), [config]);
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<AuthStatus>('loading');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const back = await completeSignIn(manager);
        const target = typeof back?.url_state === 'string' ? back.url_state : null;
        if (target?.startsWith('/')) window.history.replaceState(null, '', target);
        const current = back ?? (await manager.getUser());
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
    manager.events.addAccessTokenExpired(onExpired);
    return () => {
      live = false;
      manager.events.removeAccessTokenExpired(onExpired);
    };
  }, [manager]);

  const signIn = useCallback(
    () => manager.signinRedirect({ url_state: window.location.pathname }),
    [manager],
  );
  const signOut = useCallback(async () => {
    const idToken = user?.id_token;
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
  const expire = useCallback(() => {
    setUser(null);
    setStatus('expired');
    void manager.removeUser();
  }, [manager]);

  const value = useMemo<Auth>(() => {
    const accessToken = user?.access_token ?? null;
    const name = accessToken ? claims(accessToken).username : null;
    return {
      status,
      username: typeof name === 'string' ? name : null,
      accessToken,
      error,
      signIn,
      signOut,
      expire,
    };
  }, [user, status, error, signIn, signOut, expire]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

/**
 * The app shell: runtime config, then sign-in state; signed-in users get the API client and
 * the router, everyone else the sign-in screen (an expired session keeps the typed portfolio).
 */
import { useEffect, useMemo, useState } from 'react';
import { RouterProvider } from 'react-router';
import { Loading } from '../components/States';
import { ApiProvider } from '../lib/api';
import { AuthProvider, useAuth } from '../lib/auth';
import { type AppConfig, loadConfig } from '../lib/config';
import { createAppRouter } from './router';
import { SignInScreen } from './SignInScreen';

function SignedIn({ config }: { config: AppConfig }) {
  const router = useMemo(createAppRouter, []);
  return (
    <ApiProvider baseUrl={config.apiBaseUrl}>
      <RouterProvider router={router} />
    </ApiProvider>
  );
}

function Gate({ config }: { config: AppConfig }) {
  const auth = useAuth();
  if (auth.status === 'loading')
    return (
      <main className="center">
        <Loading label="Signing you in…" />
      </main>
    );
  if (auth.status !== 'signed-in') return <SignInScreen />;
  return <SignedIn config={config} />;
}

export function App() {
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    loadConfig().then(setConfig, () => setFailed(true));
  }, []);
  if (failed)
    return (
      <main className="center">
        <div className="card narrow" role="alert">
          <h1>We can’t reach Stock Consultant</h1>
          <p>The service did not answer. Check your connection, then reload the page.</p>
        </div>
      </main>
    );
  if (!config)
    return (
      <main className="center">
        <Loading />
      </main>
    );
  return (
    <AuthProvider config={config}>
      <Gate config={config} />
    </AuthProvider>
  );
}

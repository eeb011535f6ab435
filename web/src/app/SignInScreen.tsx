/** The landing page of a visitor who is not signed in, with the one button "Sign in". */
import { useEffect, useState } from 'react';
import { useAuth } from '../lib/auth';

export function SignInScreen() {
  const auth = useAuth();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Sign in · Stock Consultant';
  }, []);
  return (
    <main className="landing" id="main">
      <div className="landing-card">
        <p className="brand-mark">
          <span className="logo" aria-hidden="true" /> Stock Consultant
        </p>
        <h1>Know what your portfolio is telling you</h1>
        <p className="lead">
          Value your NSE holdings at the latest prices and get clear, rule-based advice: concentration, sharp
          drops, momentum and diversification. Pay only for what you analyze: ₹5.00 per analysis plus ₹2.00
          per advice item.
        </p>
        {auth.status === 'expired' ? (
          <p className="banner" role="alert">
            Your session has expired. Sign in again: the portfolio you typed is kept.
          </p>
        ) : null}
        {auth.status === 'error' ? (
          <p className="banner error" role="alert">
            Sign-in did not complete ({auth.error}). Please try again.
          </p>
        ) : null}
        <button
          type="button"
          className="button primary large"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            auth.signIn().catch(() => setBusy(false));
          }}
        >
          Sign in
        </button>
        <p className="small muted">
          Educational, rule-based analysis; not personalised investment advice. Stock Consultant is not a
          SEBI-registered adviser.
        </p>
      </div>
    </main>
  );
}

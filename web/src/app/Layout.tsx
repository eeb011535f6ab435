/** Header with navigation, the user's name and "Sign out"; the current screen below. */
import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { clearDraft } from '../features/portfolio';
import { useAuth } from '../lib/auth';

const NAV = [
  { to: '/', label: 'Analyze', end: true },
  { to: '/history', label: 'History', end: false },
  { to: '/market', label: 'Market', end: false },
  { to: '/billing', label: 'Billing', end: false },
  { to: '/settings', label: 'Settings', end: false },
];

export function Layout() {
  const auth = useAuth();
  const location = useLocation();
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation (pathname change)
  useEffect(() => {
    // After a client-side navigation, move focus to the new screen's heading (as a page load would).
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <NavLink to="/" className="brand" end>
            <span className="logo" aria-hidden="true" /> Stock Consultant
          </NavLink>
          <nav aria-label="Main">
            <ul>
              {NAV.map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to} end={item.end}>
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="account">
            <span className="user" title={`Signed in as ${auth.displayName ?? ''}`}>
              <span className="visually-hidden">Signed in as </span>
              {auth.displayName}
            </span>
            <button
              type="button"
              className="button ghost"
              onClick={() => {
                clearDraft();
                void auth.signOut();
              }}
            >
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="container">
        <Outlet />
      </main>
      <footer className="footer container">
        <p>
          Rule-based and educational; not personalised investment advice. Stock Consultant is not a
          SEBI-registered adviser. Amounts in INR; times in IST.
        </p>
      </footer>
    </>
  );
}

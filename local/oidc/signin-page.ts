/**
 * The local issuer's sign-in page (SPEC §8): textbox "Username", checkbox "Administrator",
 * button "Sign in"; no password. Server-rendered HTML with no script and an external stylesheet,
 * so it runs under the same strict Content-Security-Policy as the app.
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface SignInPageOptions {
  /** The authorization request's parameters, carried through the form as hidden fields. */
  params: Record<string, string>;
  error?: string;
  username?: string;
}

export function signInPage({ params, error, username = '' }: SignInPageOptions): string {
  const hidden = Object.entries(params)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in · Stock Consultant (local)</title>
  <link rel="stylesheet" href="/local-issuer/signin.css">
</head>
<body>
  <main class="card">
    <p class="brand">Stock Consultant</p>
    <h1>Sign in</h1>
    <p class="hint">Local sign-in for development: any username, no password.</p>
    <form method="post" action="/local-issuer/authorize" novalidate>
      ${hidden}
      <label for="username">Username</label>
      ${error ? `<p class="error" id="username-error"><span class="visually-hidden">Error:</span> ${escapeHtml(error)}</p>` : ''}
      <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none"
        spellcheck="false" maxlength="128" value="${escapeHtml(username)}" required autofocus
        ${error ? 'aria-invalid="true" aria-describedby="username-error"' : ''}>
      <div class="check">
        <input id="admin" name="admin" type="checkbox" value="1">
        <label for="admin">Administrator</label>
      </div>
      <button type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>`;
}

export function errorPage(title: string, detail: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} · Stock Consultant (local)</title>
  <link rel="stylesheet" href="/local-issuer/signin.css">
</head>
<body>
  <main class="card">
    <h1>${escapeHtml(title)}</h1>
    <p>${escapeHtml(detail)}</p>
  </main>
</body>
</html>`;
}

export const SIGNIN_CSS = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f6fb;color:#16213a;
  font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:16px}
.card{background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(22,33,58,.08);padding:32px;width:100%;max-width:380px}
.brand{margin:0 0 4px;font-weight:700;color:#1f4fd8;letter-spacing:.02em}
h1{margin:0 0 8px;font-size:1.6rem}
.hint{color:#4b5671;margin:0 0 20px;font-size:.95rem}
label{display:block;font-weight:600;margin-bottom:6px}
input[type=text]{width:100%;padding:10px 12px;border:2px solid #8a94ab;border-radius:8px;font:inherit}
input[aria-invalid=true]{border-color:#b3261e}
.error{color:#b3261e;font-weight:600;margin:0 0 6px}
.check{display:flex;align-items:center;gap:8px;margin:16px 0 24px}
.check label{margin:0;font-weight:500}
.check input{width:20px;height:20px}
button{width:100%;padding:12px;border:0;border-radius:8px;background:#1f4fd8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#173fb0}
:focus-visible{outline:3px solid #f5b700;outline-offset:2px}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

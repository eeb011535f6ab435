/**
 * The security headers the web app is served with, as plain data so the template test, the
 * docs and (if it wants) the local server can share them. The CSP allows no inline script and
 * no eval; the page may only talk to itself, the API and Cognito.
 */

export interface CspSources {
  /** Origins the app may `fetch` besides itself: the API and Cognito's endpoints. */
  readonly connect: readonly string[];
}

/**
 * A strict Content-Security-Policy: everything from the site itself, `data:` images (the
 * chart's export), no plugins, no framing, no `<base>` tricks, forms post only to the site.
 */
export function contentSecurityPolicy(sources: CspSources): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self'", 'data:'],
    ['font-src', "'self'"],
    ['connect-src', "'self'", ...sources.connect],
    ['object-src', "'none'"],
    ['base-uri', "'self'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
    ['upgrade-insecure-requests'],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/** Browser features the app never uses, switched off for it and anything it might embed. */
export const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=()';

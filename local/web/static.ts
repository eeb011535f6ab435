/**
 * Serves the built web app from the local API server: files from web/dist with their content
 * types, `index.html` for every other page path (SPA fallback), the runtime `/config.json`, and
 * a strict Content-Security-Policy (no inline script or style; the same policy as CloudFront's).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { RequestHandler } from '../oidc/provider';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

export interface WebConfig {
  apiBaseUrl: string;
  authority: string;
  clientId: string;
  scope: string;
}

export interface StaticSiteOptions {
  /** The built app (web/dist). */
  dir: string;
  config: WebConfig;
}

/** Paths the API owns: never answered with the app. */
const API_PATH = /^\/(api|health|local-issuer)(\/|$)/;

async function fileIn(dir: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const file = normalize(join(dir, decoded));
  if (!file.startsWith(dir + sep)) return null; // no way out of dist (../)
  try {
    return (await stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cache: string) {
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': cache,
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

export function createStaticSite(options: StaticSiteOptions): RequestHandler {
  const dir = normalize(options.dir);
  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (API_PATH.test(url.pathname)) return false;
    if (url.pathname === '/config.json') {
      res.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        ...SECURITY_HEADERS,
      });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(options.config));
      return true;
    }
    const file = url.pathname === '/' ? null : await fileIn(dir, url.pathname);
    if (file) {
      // Vite names built assets by content hash: they never change under one name.
      const cache = url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      sendFile(req, res, file, cache);
      return true;
    }
    // A missing asset is a 404; any other path is a page of the app (client-side routes).
    if (extname(url.pathname) && url.pathname !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('Not found');
      return true;
    }
    const index = await fileIn(dir, '/index.html');
    if (!index) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('The web app is not built. Run: npm run web:build (npm start does it for you).');
      return true;
    }
    sendFile(req, res, index, 'no-cache');
    return true;
  };
}

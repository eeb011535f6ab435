/**
 * CloudFront Function code (viewer request, `cloudfront-js-2.0`) for the single-page app:
 * a path whose last segment has no file extension (`/`, `/history`, `/keys/`) is a client-side
 * route and gets `/index.html`; anything with an extension (assets, `config.json`) passes
 * through, so a missing asset stays an error instead of turning into HTML with status 200.
 * Kept as a string (CloudFront runs it, not Node); test/infra/web.test.ts runs it as JavaScript.
 */
export const SPA_FALLBACK_CODE = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

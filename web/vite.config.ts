/**
 * The web app's build. `npm start` serves web/dist from the local API server; `npm run web:dev`
 * runs this dev server with hot reload, proxying API and sign-in calls to a running `npm start`.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The app runs under a strict CSP (no inline script or style), so nothing may be inlined.
    assetsInlineLimit: 0,
    // The timing report is noise in `npm start` output on a busy 2-core machine.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.WEB_DEV_PORT ?? 5173),
    strictPort: true,
    proxy: {
      '/api': api,
      '/health': api,
      '/local-issuer': api,
      '/config.json': api,
    },
  },
});

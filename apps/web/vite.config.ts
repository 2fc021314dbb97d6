import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The analyst web app, built to dist/web and served by the API under /app (apps/api/src/web-app).
// No inline scripts (the API's Content-Security-Policy allows only this origin's script files),
// hence no module-preload polyfill, which Vite would otherwise inline.
export default defineConfig({
  root: here,
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    // The largest file is the lazily loaded graph renderer (Cytoscape and dagre, about 500 kB);
    // the app's entry file is about 250 kB. A warning above 600 kB flags a file that grew.
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});

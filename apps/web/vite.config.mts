import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The web app builds into dist/web, which the API app serves (apps/api/src/web/serve-web-app.ts).
// `npx vite --config apps/web/vite.config.mts` runs it against an API on :3000 while editing.
export default defineConfig({
  root,
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    // Which chunks each entry loads: the first screen's size budget (test/browser/first-screen.e2e-spec.ts) reads it.
    manifest: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' } },
});

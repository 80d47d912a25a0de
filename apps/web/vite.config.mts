import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist/web', import.meta.url));

/**
 * Each script and style sheet beside a Brotli (.br) and a gzip (.gz) copy, which the API app serves to browsers that
 * accept them (preCompressed, apps/api/src/web/serve-web-app.ts): a phone on a slow line loads a third of the bytes.
 */
const precompressed = (): Plugin => ({
  name: 'precompressed',
  apply: 'build',
  closeBundle() {
    const assets = join(outDir, 'assets');
    for (const name of readdirSync(assets).filter((file) => /\.(js|css)$/.test(file))) {
      const body = readFileSync(join(assets, name));
      writeFileSync(join(assets, `${name}.gz`), gzipSync(body, { level: 9 }));
      writeFileSync(
        join(assets, `${name}.br`),
        brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      );
    }
  },
});

// The web app builds into dist/web, which the API app serves (apps/api/src/web/serve-web-app.ts).
// `npx vite --config apps/web/vite.config.mts` runs it against an API on :3000 while editing.
export default defineConfig({
  root,
  plugins: [vue(), precompressed()],
  build: {
    outDir,
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    // Which chunks each entry loads: the first screen's size budget (test/browser/first-screen.e2e-spec.ts) reads it.
    manifest: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' } },
});

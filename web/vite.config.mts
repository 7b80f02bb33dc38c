import { defineConfig } from 'vite';

/** The trader's page: built into dist/web, which the exchange serves at `/`. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } } },
});

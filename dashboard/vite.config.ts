import { defaultClientConditions, defineConfig } from 'vite';

// The dashboard is served by the API at `/` (one port); in development Vite proxies the API to it.
export default defineConfig({
  base: '/',
  // Workspace packages from their TypeScript sources, as in the tests (the contract's code lists).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Officers open it on a phone at the harbour: keep the bundle small and tell us when it grows.
    chunkSizeWarningLimit: 300,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});

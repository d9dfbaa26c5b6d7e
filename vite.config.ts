import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The backend serves dist/; `npm run dev` proxies the API and WebSockets to a running `porthole serve`.
const backend = process.env.PORTHOLE_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1500 },
  // ES module workers can split: the playground worker loads one version's OpenAPI data at a time.
  worker: { format: 'es' },
  server: {
    proxy: {
      '/clusters': { target: backend, ws: true, changeOrigin: false },
      '/porthole': { target: backend },
    },
  },
});

// Builds the web console into console/dist; `parapet serve` serves it at /console/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The README states the budget; test/console/bundle-budget.test.ts holds the build to it.
    chunkSizeWarningLimit: 400,
    sourcemap: false,
  },
  server: {
    // `npx vite --config console/vite.config.ts` during development: API calls go to a running gateway.
    proxy: { '^/($|guardrails|guardrail|enforcedGuardrailsConfiguration|resource-policy|admin|model|console/api)': 'http://127.0.0.1:8787' },
  },
});

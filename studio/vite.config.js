// The studio's build: studio/ → dist/studio-app/, served by the server at / (src/studio/studio.controller.ts) with
// its assets under /studio/assets/. Type-checking is tsc's job (npm run build runs it first); Vite only bundles.
// No React plugin: Vite's own transform compiles TSX with React's automatic runtime (tsconfig "jsx": "react-jsx"),
// and fast refresh is all the plugin would add.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/studio/',
  build: {
    outDir: fileURLToPath(new URL('../dist/studio-app', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
});

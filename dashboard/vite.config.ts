import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The dashboard is built into dist/dashboard and served by `powerlens serve` at /.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact()],
  build: { outDir: '../dist/dashboard', emptyOutDir: true, chunkSizeWarningLimit: 600 },
});

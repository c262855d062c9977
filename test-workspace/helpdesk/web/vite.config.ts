import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// 5173 and 4173 belong to insight-garden's frontend on this machine.
export default defineConfig({
  plugins: [react()],
  server: { port: 5174, strictPort: true },
  preview: { port: 4174, strictPort: true },
});

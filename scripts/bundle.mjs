// Bundles what browsers load: the SDK as a classic script exposing the global `ConversationClient`
// (dist/conversationClient.js) and the web chat app (dist/web/). Runs after tsc in `npm run build`.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';

const common = {
  bundle: true,
  target: ['es2020'],
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

await build({
  ...common,
  entryPoints: ['src/client/browser-global.ts'],
  outfile: 'dist/conversationClient.js',
  format: 'iife',
  platform: 'browser',
});

if (existsSync('web/app.ts')) {
  await mkdir('dist/web', { recursive: true });
  await build({
    ...common,
    entryPoints: ['web/app.ts'],
    outfile: 'dist/web/app.js',
    format: 'esm',
    platform: 'browser',
    minify: true,
  });
  for (const file of await readdir('web')) {
    if (/\.(html|css|svg|png|ico)$/.test(file)) await copyFile(`web/${file}`, `dist/web/${file}`);
  }
}

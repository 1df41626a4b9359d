import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ParleyError } from '../../../protocol/errors.js';

/** Content security policy of the web app: nothing inline, nothing from elsewhere. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The package root, found from this module whether it runs from src/ (tests) or dist/src/ (built). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the server module');
    dir = parent;
  }
  return dir;
}

/** Serves the built web chat at `/` and the SDK bundle at `/sdk/conversationClient.js`. */
export function webRoutes(app: FastifyInstance): void {
  const dist = join(packageRoot(), 'dist');
  const files = new Map<string, string>([
    ['/', join(dist, 'web', 'index.html')],
    ['/index.html', join(dist, 'web', 'index.html')],
    ['/app.js', join(dist, 'web', 'app.js')],
    ['/app.js.map', join(dist, 'web', 'app.js.map')],
    ['/styles.css', join(dist, 'web', 'styles.css')],
    ['/favicon.svg', join(dist, 'web', 'favicon.svg')],
    ['/sdk/conversationClient.js', join(dist, 'conversationClient.js')],
    ['/sdk/conversationClient.js.map', join(dist, 'conversationClient.js.map')],
  ]);
  for (const [path, file] of files) {
    app.get(path, async (_request, reply) => {
      let content: Buffer;
      try {
        content = await readFile(file);
      } catch {
        throw new ParleyError('http:error:not-found', `${path} is not built; run npm run build`);
      }
      const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
      void reply
        .header('content-type', type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff');
      if (type.startsWith('text/html')) {
        void reply
          .header('content-security-policy', WEB_CSP)
          .header('x-frame-options', 'DENY')
          .header('referrer-policy', 'no-referrer');
      }
      // The SDK is loaded cross-origin by pages like the tutorial's.
      if (path.startsWith('/sdk/')) void reply.header('access-control-allow-origin', '*');
      return reply.send(content);
    });
  }
}

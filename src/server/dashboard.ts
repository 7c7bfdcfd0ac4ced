import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the build puts the dashboard: <repo>/dist/dashboard from src/server and dist/server alike. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

/**
 * The web dashboard at / (built by `npm run build` with Vite from dashboard/). It holds no data
 * and no secret: it signs in with the login link serve prints or a read key, then calls the API.
 */
export function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): void {
  if (!existsSync(`${dir}/index.html`)) {
    app.get('/', async (_req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send(
          'The dashboard is not built: run npm run build (npm ci does it), then restart serve.\n',
        ),
    );
    return;
  }
  app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: 'index.html',
    // Scripts and styles come from here only; the API is the same origin.
    setHeaders: (res) => {
      res.header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
      );
      res.header('referrer-policy', 'no-referrer');
    },
  });
}

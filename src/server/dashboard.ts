import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the build puts the dashboard: <repo>/dist/dashboard from src/server and dist/server alike. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

/**
 * A 16x16 icon, three rising bars on a dark tile, as an ICO file (one 32-bit BMP image, rows bottom
 * up, then an all-zero AND mask). Made here rather than kept as a binary in the repository, and
 * answered at /favicon.ico, which browsers ask for whatever the page says.
 */
function faviconIco(): Buffer {
  const size = 16;
  const pixels = Buffer.alloc(size * size * 4);
  const bars = [
    { from: 3, to: 5, height: 5 },
    { from: 7, to: 9, height: 8 },
    { from: 11, to: 13, height: 11 },
  ];
  for (let row = 0; row < size; row++) {
    // BMP rows run from the bottom: `row` 0 is the bottom line of the icon.
    for (let x = 0; x < size; x++) {
      const corner = (x === 0 || x === size - 1) && (row === 0 || row === size - 1);
      const bar = bars.some((b) => x >= b.from && x <= b.to && row >= 2 && row < 2 + b.height);
      const [blue, green, red, alpha] = corner
        ? [0, 0, 0, 0]
        : bar
          ? [0xd4, 0xb6, 0x06, 0xff]
          : [0x2a, 0x17, 0x0f, 0xff];
      pixels.set([blue, green, red, alpha], (row * size + x) * 4);
    }
  }
  const mask = Buffer.alloc(size * 4);
  const header = Buffer.alloc(6 + 16 + 40);
  header.writeUInt16LE(1, 2); // an icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(40 + pixels.length + mask.length, 14);
  header.writeUInt32LE(22, 18); // where the image starts
  header.writeUInt32LE(40, 22); // BITMAPINFOHEADER
  header.writeInt32LE(size, 26);
  header.writeInt32LE(size * 2, 30); // the image and its mask
  header.writeUInt16LE(1, 34);
  header.writeUInt16LE(32, 36);
  header.writeUInt32LE(pixels.length + mask.length, 42);
  return Buffer.concat([header, pixels, mask]);
}

export const FAVICON = faviconIco();

/** Browsers ask for /favicon.ico on every page: answered, so their consoles show no 404. */
function registerFavicon(app: FastifyInstance): void {
  app.get('/favicon.ico', async (_req, reply) =>
    reply.type('image/x-icon').header('cache-control', 'public, max-age=604800').send(FAVICON),
  );
}

/**
 * The web dashboard at / (built by `npm run build` with Vite from dashboard/). It holds no data
 * and no secret: it signs in with the login link serve prints or a read key, then calls the API.
 */
export function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): void {
  registerFavicon(app);
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

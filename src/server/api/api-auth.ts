import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engines/engine.js';
import { KeyCache } from '../../projects/key-cache.js';
import { problem } from './problem.js';
import type { Sessions } from './sessions.js';
import { UNSUBSCRIBE_PATH } from './unsubscribe-routes.js';

/**
 * The routes anyone may call: the sign-in, and the unsubscribe link of playbook e-mail (its signed
 * token is the proof, unsubscribe-routes.ts). Matched by route, so a query string changes nothing.
 */
const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/api/v1/login', UNSUBSCRIBE_PATH]);

/**
 * Every API request but the public routes names its project by a read key (or a dashboard session
 * token) as a bearer token; anything else is answered 401 with what to send instead.
 */
export function requireReadKey(
  api: FastifyInstance,
  engine: Engine,
  sessions: Sessions | undefined,
): void {
  const readKeys = new KeyCache(engine, 'read');
  api.decorateRequest('projectId', '');
  api.addHook('onRequest', async (req, reply) => {
    if (PUBLIC_ROUTES.has(req.routeOptions.url ?? '')) return;
    const header = req.headers.authorization ?? '';
    const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const projectId = key
      ? key.startsWith('pl_s_')
        ? (sessions?.projectOf(key) ?? null)
        : await readKeys.projectOf(key)
      : null;
    if (!projectId) {
      return problem(
        reply,
        req,
        401,
        'Unauthorized',
        key
          ? 'the key is not a read key of any project (revoked, unknown, or a write key)'
          : 'send the project read key as Authorization: Bearer <key> (powerlens projects create prints it)',
      );
    }
    req.projectId = projectId;
  });
}

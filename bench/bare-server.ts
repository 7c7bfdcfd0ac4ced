/**
 * The ingest benchmark's baseline: the same HTTP framework on the same port of the same machine,
 * answering /v1/batch once it has read and parsed the body, storing nothing. What powerlens serve
 * adds to it (checks, normalising, the fsync'd log, the loader, the rollups) is the ratio.
 */
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 500 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/v1/batch', async (req, reply) => {
  const body = JSON.parse((req.body as Buffer).toString('utf8')) as { batch?: unknown };
  if (!Array.isArray(body.batch)) return reply.code(400).send({ success: false });
  return { success: true, accepted: body.batch.length, rejected: [] };
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stderr.write(`bare server on ${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));

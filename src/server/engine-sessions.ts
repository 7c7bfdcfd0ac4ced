import { AsyncResource } from 'node:async_hooks';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SqlParams } from '../dialect/sql-value.js';
import type { Engine, Row } from '../engines/engine.js';

/**
 * The CLI's way in while `serve` holds a DuckDB file (DuckDB lets one process write it): a
 * command opens a session, which holds the engine's turn as a transaction would, sends its
 * statements one by one, and closes it. Everything the command computes stays in the CLI; only
 * statements cross, so every command works the same against a file or a running server. A
 * session the CLI stops using (killed, disconnected) is rolled back and released after
 * `idleMs`. Only the admin token, which serve writes beside the database for its owner, gets in.
 */
export interface EngineSessionsOptions {
  engine: Engine;
  token: string;
  /** A session without a statement for this long is rolled back and released (default 60 s). */
  idleMs?: number;
  log?: (message: string) => void;
}

interface Session {
  exec: <R>(fn: () => Promise<R>) => Promise<R>;
  release: () => void;
  timer: NodeJS.Timeout | undefined;
  /** Statements of one session run one after another, whatever the client sends at once. */
  chain: Promise<unknown>;
}

const Statement = z.discriminatedUnion('op', [
  z.object({ op: z.literal('run'), sql: z.string(), params: z.record(z.string(), z.unknown()) }),
  z.object({ op: z.literal('query'), sql: z.string(), params: z.record(z.string(), z.unknown()) }),
  z.object({
    op: z.literal('insert'),
    table: z.string(),
    rows: z.array(z.record(z.string(), z.unknown())),
  }),
  z.object({
    op: z.literal('exportParquet'),
    sql: z.string(),
    params: z.record(z.string(), z.unknown()),
    path: z.string(),
  }),
  z.object({ op: z.literal('migrate') }),
]);
export type EngineStatement = z.infer<typeof Statement>;

/** BigInts beyond 2^53 travel as text, as everything else that JSON cannot hold. */
export const jsonOfRows = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

export function registerEngineSessions(app: FastifyInstance, options: EngineSessionsOptions): void {
  const { engine } = options;
  const idleMs = options.idleMs ?? 60_000;
  const sessions = new Map<string, Session>();
  const expected = Buffer.from(options.token);

  const authorised = (req: FastifyRequest) => {
    const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const refuse = (reply: FastifyReply, status: number, error: string) =>
    reply.code(status).type('application/json').send(JSON.stringify({ error }));

  const end = async (id: string, why: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    clearTimeout(s.timer);
    // A transaction the client left open is not committed for it.
    await s.chain.catch(() => undefined);
    await s.exec(() => engine.run('ROLLBACK')).catch(() => undefined);
    s.release();
    options.log?.(`CLI session ${id.slice(0, 8)} ${why}`);
  };
  const idle = (id: string, s: Session) => {
    clearTimeout(s.timer);
    s.timer = setTimeout(() => void end(id, `released after ${idleMs / 1000} s unused`), idleMs);
  };

  app.post('/admin/v1/engine/sessions', async (req, reply) => {
    if (!authorised(req)) return refuse(reply, 401, 'not the admin token of this server');
    const id = randomUUID();
    // Resolves once the session holds the turn: after the statements already queued.
    await new Promise<void>((opened, failed) => {
      engine
        .hold(
          () =>
            new Promise<void>((release) => {
              const exec = AsyncResource.bind(<R>(fn: () => Promise<R>) => fn());
              const s: Session = { exec, release, timer: undefined, chain: Promise.resolve() };
              sessions.set(id, s);
              idle(id, s);
              opened();
            }),
        )
        .catch(failed);
    });
    options.log?.(`CLI session ${id.slice(0, 8)} opened`);
    return reply.code(201).send({ session: id });
  });

  app.post(
    '/admin/v1/engine/sessions/:id',
    { bodyLimit: 256 * 1024 * 1024 },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
      if (!authorised(req)) return refuse(reply, 401, 'not the admin token of this server');
      const s = sessions.get(req.params.id);
      if (!s) return refuse(reply, 404, 'no such session (closed, or released after idling)');
      let statement: EngineStatement;
      try {
        const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
        statement = Statement.parse(JSON.parse(raw));
      } catch (err) {
        return refuse(reply, 400, `not a statement: ${(err as Error).message.split('\n')[0]}`);
      }
      clearTimeout(s.timer);
      const run = s.chain.then(
        () => s.exec(() => execute(engine, statement)),
        () => s.exec(() => execute(engine, statement)),
      );
      s.chain = run.catch(() => undefined);
      try {
        const result = await run;
        return reply.code(200).type('application/json').send(jsonOfRows(result));
      } catch (err) {
        // The engine's own words, as the CLI would have seen them on the file.
        return refuse(reply, 422, err instanceof Error ? err.message : String(err));
      } finally {
        if (sessions.get(req.params.id) === s) idle(req.params.id, s);
      }
    },
  );

  app.delete(
    '/admin/v1/engine/sessions/:id',
    async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
      if (!authorised(req)) return refuse(reply, 401, 'not the admin token of this server');
      await end(req.params.id, 'closed');
      return reply.code(204).send();
    },
  );

  app.addHook('onClose', async () => {
    for (const id of [...sessions.keys()]) await end(id, 'closed with the server');
  });
}

async function execute(engine: Engine, s: EngineStatement): Promise<unknown> {
  switch (s.op) {
    case 'run':
      return { changed: await engine.run(s.sql, s.params as SqlParams) };
    case 'query':
      return { rows: await engine.query(s.sql, s.params as SqlParams) };
    case 'insert':
      await engine.insert(s.table, s.rows as Row[]);
      return {};
    case 'exportParquet':
      await engine.exportParquet(s.sql, s.params as SqlParams, s.path);
      return {};
    case 'migrate':
      return engine.migrate();
  }
}

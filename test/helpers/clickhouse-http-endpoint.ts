import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Session } from 'chdb';

/**
 * A loopback stand-in for a ClickHouse server's HTTP interface, running the real ClickHouse engine
 * in-process (chDB), so the ClickHouse HTTP engine is tested through the real @clickhouse/client.
 * It implements the part of the interface that client uses: GET /ping; POST / with the query in
 * the body (queries, commands) or in the `query` URL parameter with the data in the body
 * (inserts); `param_<name>` query parameters (set as ClickHouse parses them, from text), other URL
 * parameters as settings, `database`; user and password from the X-ClickHouse-User / -Key
 * headers; errors as ClickHouse words them, with X-ClickHouse-Exception-Code.
 *
 * With `tls`, it answers over HTTPS, and with a CA, only to clients with a certificate it signed.
 *
 * Not covered (docs/scale-out.md): compression of requests or responses, sessions
 * (session_id), progress headers, multipart parameters, streaming of large results (each answer
 * is built whole), concurrent queries (they run one at a time), and anything of a cluster.
 */
export interface ClickHouseEndpoint {
  url: string;
  /** Requests served, for tests that check the client really went through HTTP. */
  readonly requests: number;
  close(): Promise<void>;
}

const READ_PARAMS = new Set([
  'query',
  'query_id',
  'database',
  'default_format',
  'session_id',
  'role',
]);

function body(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

/** A ClickHouse string literal of any text. */
const literal = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export async function startClickHouseEndpoint(options: {
  dataDir: string;
  user?: string;
  password?: string;
  /** HTTPS with this key and certificate; with `ca`, clients must show a certificate it signed. */
  tls?: { key: string; cert: string; ca?: string };
}): Promise<ClickHouseEndpoint> {
  const session = new Session(options.dataDir);
  let queue: Promise<unknown> = Promise.resolve();
  let requests = 0;
  const user = options.user ?? 'default';
  const password = options.password ?? '';

  const execute = async (url: URL, text: string): Promise<string> => {
    const database = url.searchParams.get('database');
    if (database) await session.queryAsync(`USE \`${database.replace(/`/g, '')}\``);
    for (const [key, value] of url.searchParams) {
      // Parameters arrive as text and are parsed by their declared type, as on a server.
      if (key.startsWith('param_')) await session.queryAsync(`SET ${key} = ${literal(value)}`);
      else if (!READ_PARAMS.has(key) && /^[a-z_][a-z0-9_]*$/i.test(key)) {
        await session.queryAsync(`SET ${key} = ${literal(value)}`);
      }
    }
    const result = await session.queryAsync(text, {
      format: url.searchParams.get('default_format') ?? 'TabSeparated',
    });
    return result.text();
  };

  const handler: RequestListener = (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/ping') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('Ok.\n');
        return;
      }
      // Basic auth (what the client sends over HTTP) or ClickHouse's own headers.
      const basic = req.headers.authorization?.startsWith('Basic ')
        ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8').split(':')
        : null;
      const given = basic
        ? [basic[0] ?? '', basic.slice(1).join(':')]
        : [req.headers['x-clickhouse-user'] ?? 'default', req.headers['x-clickhouse-key'] ?? ''];
      if (given[0] !== user || given[1] !== password) {
        res
          .writeHead(403, { 'x-clickhouse-exception-code': '516' })
          .end(
            `Code: 516. DB::Exception: ${String(given[0])}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`,
          );
        return;
      }
      const data = await body(req);
      const inUrl = url.searchParams.get('query');
      const text = inUrl ? `${inUrl}\n${data}` : data;
      requests += 1;
      const run = queue.then(() => execute(url, text));
      queue = run.catch(() => undefined);
      try {
        const out = await run;
        res
          .writeHead(200, {
            'content-type': 'text/plain; charset=UTF-8',
            'x-clickhouse-summary': JSON.stringify({
              read_rows: '0',
              read_bytes: '0',
              written_rows: '0',
              written_bytes: '0',
              total_rows_to_read: '0',
              result_rows: '0',
              result_bytes: '0',
              elapsed_ns: '0',
            }),
          })
          .end(out);
      } catch (err) {
        const e = err as { clickhouseCode?: number; message?: string };
        const code = e.clickhouseCode ?? 1000;
        const message = String(e.message ?? err).replace(/^Code: \d+\. /, '');
        res
          .writeHead(code === 62 || code === 47 ? 400 : 500, {
            'x-clickhouse-exception-code': String(code),
            'content-type': 'text/plain; charset=UTF-8',
          })
          .end(
            `Code: ${code}. ${message.startsWith('DB::Exception') ? message : `DB::Exception: ${message}`}`,
          );
      }
    })();
  };
  const tls = options.tls;
  const server: Server = tls
    ? createTlsServer(
        { key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: tls.ca !== undefined },
        handler,
      )
    : createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    async close() {
      await new Promise<void>((done) => server.close(() => done()));
      await queue;
      session.close();
    },
  };
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CertificateExtension, generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClickHouseEndpoint,
  startClickHouseEndpoint,
} from '../helpers/clickhouse-http-endpoint.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * ClickHouse over HTTPS with mutual TLS, through the CLI's TLS flags and the real
 * @clickhouse/client: a CA made for the test signs the endpoint's certificate (for 127.0.0.1)
 * and a client certificate; the endpoint answers only clients that show the latter.
 */
let dir: string;
let endpoint: ClickHouseEndpoint;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-ch-tls-'));
  const ca = await generate([{ name: 'commonName', value: 'powerlens test CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const signed = (cn: string, extensions: CertificateExtension[]) =>
    generate([{ name: 'commonName', value: cn }], {
      keySize: 2048,
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions,
    });
  const server = await signed('127.0.0.1', [
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  const client = await signed('powerlens', [{ name: 'extKeyUsage', clientAuth: true }]);
  writeFileSync(file('ca.pem'), ca.cert);
  writeFileSync(file('client.pem'), client.cert);
  writeFileSync(file('client-key.pem'), client.private);
  endpoint = await startClickHouseEndpoint({
    dataDir: file('chdb'),
    password: 'pw',
    tls: { key: server.private, cert: server.cert, ca: ca.cert },
  });
}, 120_000);
afterAll(async () => {
  await endpoint?.close();
  rmSync(dir, { recursive: true, force: true });
});

const migrate = (extra: string[]) =>
  runCli(
    ['migrate', '--engine', 'clickhouse', '--clickhouse-url', endpoint.url, '--json', ...extra],
    undefined,
    { CLICKHOUSE_PASSWORD: 'pw' },
  );

describe('ClickHouse over HTTPS with mutual TLS', () => {
  it('connects with the CA and the client certificate', async () => {
    expect(endpoint.url).toMatch(/^https:/);
    const r = await migrate([
      '--clickhouse-ca-cert',
      file('ca.pem'),
      '--clickhouse-cert',
      file('client.pem'),
      '--clickhouse-key',
      file('client-key.pem'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ applied: ['clickhouse_schema'] });
  });

  it('is refused without the client certificate, and does not trust the server without the CA', async () => {
    const noClient = await migrate(['--clickhouse-ca-cert', file('ca.pem')]);
    expect(noClient.code).not.toBe(0);
    const noCa = await migrate([]);
    expect(noCa.code).not.toBe(0);
    expect(noCa.stderr).toMatch(/certificate/i);
  });
});

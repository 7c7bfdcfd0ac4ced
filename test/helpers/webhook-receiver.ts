import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A webhook that passed the verifier: its webhook-id and its JSON body. */
export interface VerifiedWebhook {
  id: string;
  payload: {
    playbook: string;
    subject: { id: string; type: string };
    data: Record<string, unknown>;
    link: string | null;
  };
}

export interface WebhookReceiver<R> {
  /** Where to POST (loopback, a free port). */
  url: string;
  /** Each verified delivery, as `record` made it, in the order received. */
  received: R[];
  /** Why each refused request failed verification (answered 400). */
  refused: string[];
  close(): Promise<void>;
}

/**
 * A real receiver on 127.0.0.1 that checks every request with Standard Webhooks' own verifier
 * (the `standardwebhooks` package) against `secret`: a verified one is recorded and answered
 * `status`, anything else is refused with 400 and its reason kept.
 */
export async function startWebhookReceiver<R>(
  secret: string,
  record: (delivery: VerifiedWebhook) => R,
  status = 200,
  /** How long to wait after recording a delivery before answering it (a slow receiver). */
  delayMs = 0,
): Promise<WebhookReceiver<R>> {
  const verifier = new Webhook(secret);
  const received: R[] = [];
  const refused: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const k of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        headers[k] = String(req.headers[k] ?? '');
      }
      try {
        const payload = verifier.verify(body, headers) as VerifiedWebhook['payload'];
        received.push(record({ id: headers['webhook-id'] as string, payload }));
        if (delayMs > 0) setTimeout(() => res.writeHead(status).end(), delayMs);
        else res.writeHead(status).end();
      } catch (err) {
        refused.push(String(err));
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    refused,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        // Keep-alive connections of a client that is gone would hold the close up.
        server.closeAllConnections();
      }),
  };
}

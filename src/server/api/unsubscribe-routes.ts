import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unsubscribe } from '../../playbooks/suppressions.js';
import { escapeHtml } from '../../playbooks/template.js';
import { keptUnsubscribeKey, tokenMatches } from '../../playbooks/unsubscribe-token.js';
import type { RouteContext, ZodApi } from './api-context.js';

/**
 * The one-click unsubscribe link of playbook e-mail (docs/playbooks.md, "E-mail"; RFC 8058). Public:
 * the person who clicks holds no key, the signed token in the link is the proof (api-auth.ts lets
 * these two routes through). GET only shows a page with a button, because mail scanners fetch the
 * links of a message; the POST, sent by the mail client's own unsubscribe or by that button,
 * suppresses the address. The answers are small HTML pages: a person reads them.
 */

export const UNSUBSCRIBE_PATH = '/api/v1/playbooks/unsubscribe';

const UnsubscribeQuery = z.object({
  project: z.string().max(200).optional().describe('The project the e-mail came from.'),
  address: z.string().max(500).optional().describe('The address to unsubscribe.'),
  token: z
    .string()
    .max(200)
    .optional()
    .describe('The signature the link carries: HMAC-SHA256 of project and address.'),
});

type Query = z.infer<typeof UnsubscribeQuery>;

/** What RFC 8058 has the mail client post (and the confirm page's button posts too). */
const ONE_CLICK = 'List-Unsubscribe=One-Click';

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return (
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      // Nothing to load but the page; the link's token goes nowhere else; no framing (clickjacking).
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      )
      .header('referrer-policy', 'no-referrer')
      .serializer((x: unknown) => String(x))
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
      )
  );
}

type Checked =
  | { ok: true; project: string; address: string; token: string }
  | { ok: false; status: number; title: string; detail: string };

/** How long "no key yet" is believed: a key made meanwhile (a first e-mail queued) is seen after. */
const NO_KEY_FOR_MS = 5_000;

/**
 * The kept unsubscribe key, read from the database once and then held in memory: it never
 * changes once made, so the public routes need the engine's turn only until it is read (and
 * then only to suppress, for a link already checked). Without a key yet, the answer is held
 * a few seconds, so strangers' requests cannot queue one read each behind the API's requests.
 */
function keyCache(rc: RouteContext): () => Promise<Buffer | null> {
  let key: Buffer | null = null;
  let none: { until: number } | null = null;
  let reading: Promise<Buffer | null> | null = null;
  return async () => {
    if (key !== null) return key;
    // No suppression list, no key on this engine: no token can be right (not said as such).
    if (!rc.engine.dialect.capabilities.transactions) return null;
    if (none !== null && Date.now() < none.until) return null;
    reading ??= rc
      .inTurn(() => keptUnsubscribeKey(rc.engine))
      .then((read) => {
        key = read;
        none = read === null ? { until: Date.now() + NO_KEY_FOR_MS } : null;
        return read;
      })
      .finally(() => {
        reading = null;
      });
    return reading;
  };
}

/** The link's parts checked against the kept key; never throws on what a stranger sends. */
async function checkLink(key: () => Promise<Buffer | null>, q: Query): Promise<Checked> {
  const missing = (['project', 'address', 'token'] as const).filter((k) => !q[k]?.trim());
  if (missing.length > 0) {
    return {
      ok: false,
      status: 400,
      title: 'Incomplete link',
      detail: `the unsubscribe link lacks ${missing.join(', ')}: use the whole link from the e-mail (some mail programs cut long links).`,
    };
  }
  const { project, address, token } = q as Required<Query>;
  const kept = await key();
  if (kept === null || !tokenMatches(kept, project, address, token)) {
    return {
      ok: false,
      status: 403,
      title: 'Link not valid',
      detail:
        'this unsubscribe link was not made by this powerlens (or was changed): use the link from the e-mail as it came, or reply to the e-mail to ask to be removed.',
    };
  }
  return { ok: true, project, address, token };
}

/** Whether a POST body says one-click: a form field List-Unsubscribe=One-Click. */
function saysOneClick(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  if (new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click') return true;
  // multipart/form-data (RFC 8058 allows it): the field's part, whatever the boundary.
  return /name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\n\s*One-Click\s*(?:\r?\n|$)/.test(
    body,
  );
}

export function registerUnsubscribeRoutes(api: ZodApi, rc: RouteContext): void {
  const key = keyCache(rc);
  // Its own scope: the forms mail clients post are parsed here only (the API takes JSON).
  api.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    const forms = ['application/x-www-form-urlencoded', 'multipart/form-data'];
    scope.addContentTypeParser(forms, { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) =>
      done(null, body),
    );
    const schema = (summary: string) => ({
      summary,
      security: [],
      querystring: UnsubscribeQuery,
    });

    scope.get(
      UNSUBSCRIBE_PATH,
      {
        schema: schema(
          "The page an e-mail's unsubscribe link opens (HTML): a button to confirm; unsubscribes nobody by itself (public, signed link)",
        ),
      },
      async (req, reply) => {
        const c = await checkLink(key, req.query);
        if (!c.ok) return page(reply, c.status, c.title, `<p>${escapeHtml(c.detail)}</p>`);
        const action = `${UNSUBSCRIBE_PATH}?${new URLSearchParams({ project: c.project, address: c.address, token: c.token })}`;
        return page(
          reply,
          200,
          'Unsubscribe',
          `<p>Stop the e-mails of this product's playbooks to <b>${escapeHtml(c.address)}</b>?</p><form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
        );
      },
    );

    scope.post(
      UNSUBSCRIBE_PATH,
      {
        schema: schema(
          'One-click unsubscribe (RFC 8058): form body List-Unsubscribe=One-Click; puts the address on the suppression list (public, signed link)',
        ),
      },
      async (req, reply) => {
        const c = await checkLink(key, req.query);
        if (!c.ok) return page(reply, c.status, c.title, `<p>${escapeHtml(c.detail)}</p>`);
        if (!saysOneClick(req.body)) {
          return page(
            reply,
            400,
            'Not a one-click request',
            `<p>${escapeHtml(`the request's body is not the form field ${ONE_CLICK} (RFC 8058): send it as application/x-www-form-urlencoded, or open the link in a browser and press the button.`)}</p>`,
          );
        }
        // Only now, for a link this powerlens signed (so on an engine with a suppression list:
        // keyCache), is the database touched.
        await rc.inTurn(() => unsubscribe(rc.engine, c.project, c.address));
        return page(
          reply,
          200,
          'Unsubscribed',
          `<p><b>${escapeHtml(c.address)}</b> gets no more e-mail from this product's playbooks.</p>`,
        );
      },
    );
  });
}

import { useEffect } from 'preact/hooks';

/**
 * What a project without events shows instead of a report: where to send events, with snippets
 * for the SDKs the collector speaks and for a file import, then the report once data lands (the
 * page asks again every 15 seconds).
 */
function snippets(origin: string) {
  return [
    {
      title: 'Segment (Node.js: @segment/analytics-node)',
      code: `import { Analytics } from '@segment/analytics-node';
const analytics = new Analytics({ writeKey: 'plw_…', host: '${origin}' });
analytics.identify({ userId: 'u1', traits: { email: 'ada@example.com' } });
analytics.group({ userId: 'u1', groupId: 'acme', traits: { name: 'Acme', plan: 'pro' } });
analytics.track({ userId: 'u1', event: 'Report Exported' });`,
    },
    {
      title: 'RudderStack (Node.js: @rudderstack/rudder-sdk-node)',
      code: `import Analytics from '@rudderstack/rudder-sdk-node';
const client = new Analytics('plw_…', { dataPlaneUrl: '${origin}' });
client.track({ userId: 'u1', event: 'Report Exported' });`,
    },
    {
      title: 'PostHog (posthog-node or posthog-js)',
      code: `import { PostHog } from 'posthog-node';
const posthog = new PostHog('plw_…', { host: '${origin}' });
posthog.capture({ distinctId: 'u1', event: 'Report Exported' });`,
    },
    {
      title: 'A file (CSV, NDJSON or Parquet)',
      code: `powerlens import events.csv --project <project id>
# columns found by name: timestamp, user_id, event, account_id (docs/importing.md)`,
    },
  ];
}

export function Onboarding({ onRetry }: { onRetry: () => void }) {
  useEffect(() => {
    const timer = setInterval(onRetry, 15_000);
    return () => clearInterval(timer);
  }, [onRetry]);
  const origin = window.location.origin;
  return (
    <section class="card wide onboarding" data-testid="onboarding">
      <h2>No events in this project yet</h2>
      <p>
        Send events to <code>{origin}</code> with the project's write key (it starts with{' '}
        <code>plw_</code>; <code>powerlens projects create</code> printed it). This page turns into
        the power-user report as soon as they arrive.
      </p>
      {snippets(origin).map((s) => (
        <div key={s.title} class="snippet">
          <h3>{s.title}</h3>
          <pre>
            <code>{s.code}</code>
          </pre>
        </div>
      ))}
      <button type="button" onClick={onRetry}>
        Check again now
      </button>
    </section>
  );
}

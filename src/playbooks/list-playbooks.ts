import type { Engine } from '../engines/engine.js';
import type { Filters, Limits, Playbook, Trigger } from '../model/playbook.js';
import { compileDeliveryCounts } from '../sql/compile-outbox.js';
import type { DeliveryStatus } from './occurrence.js';

/**
 * The playbooks of a project as the API and the dashboard list them: each as configured, with its
 * trigger in words, where it sends (the environment variables it reads by name, whether each is
 * set, never a value) and its deliveries counted per status.
 */

/** One action: its channel, where it sends, and the environment variables it reads. */
export interface ActionSummary {
  channel: string;
  /** The host of a URL written in the config (never the whole URL: it may hold a token). */
  target_host: string | null;
  /** Each `*_env` setting: which variable it names, and whether the server has it set. */
  env: { key: string; name: string; is_set: boolean }[];
}

export interface PlaybookListing {
  name: string;
  description: string | null;
  enabled: boolean;
  /** The definition whose snapshots it watches (null: the default definition). */
  definition: string | null;
  trigger: Trigger;
  /** The trigger in words: "enters the lifecycle state at_risk". */
  trigger_text: string;
  filters: Filters;
  actions: ActionSummary[];
  limits: Limits;
  /** Its deliveries per status; null where the engine has no outbox (ClickHouse for now). */
  deliveries: Record<DeliveryStatus, number> | null;
}

/** A trigger in words, to follow "fires when": who, and what happens to them. */
export function triggerInWords(t: Trigger): string {
  switch (t.on) {
    case 'became_power_user':
      return 'a user becomes a power user (was not one the period before)';
    case 'stopped_power_user':
      return 'a user stops being a power user (was one the period before)';
    case 'entered_state':
      return `a user enters the lifecycle state ${t.state}`;
    case 'joined_segment':
      return `a user joins the segment ${t.segment}`;
    case 'left_segment':
      return `a user leaves the segment ${t.segment}`;
    case 'mastered_feature':
      return t.min_days !== undefined
        ? `a user masters ${t.feature}: uses it on at least ${t.min_days} distinct days in the window (fires once per user)`
        : `a user masters ${t.feature}: among the top ${t.top_percent}% of its users by uses in the window (fires once per user)`;
    case 'account_signal':
      return t.signal === 'expansion_candidate'
        ? 'an account is an expansion candidate (each period while it lasts: use a cooldown)'
        : `an account shows the signal ${t.signal.replace(/_/g, ' ')} (once per signal)`;
    case 'power_user_count_changed':
      return `the project's power users ${moved(t.direction)} by at least ${t.min_percent}% from the period before`;
    case 'power_user_share_changed':
      return `the power users' share of active users ${moved(t.direction)} by at least ${t.min_points} points from the period before`;
    case 'curve_top_bucket_shrank':
      return `the share of users in the activity curve's top bucket (${t.top_days === undefined ? 'top third of the window' : `${t.top_days}+ days`}) falls by at least ${t.min_points} points`;
    case 'lifecycle_flow':
      return `at least ${[t.min_users !== undefined ? `${t.min_users} ${t.min_users === 1 ? 'user' : 'users'}` : '', t.min_percent !== undefined ? `${t.min_percent}% of those ${t.from}` : ''].filter(Boolean).join(' and ')} ${t.min_users === 1 && t.min_percent === undefined ? 'moves' : 'move'} from ${t.from} to ${t.to} in a period`;
  }
}

const moved = (direction: 'up' | 'down' | 'either') =>
  direction === 'up' ? 'rise' : direction === 'down' ? 'fall' : 'move';

/** What an action sends to, read generically: every channel names its secrets by `*_env`. */
export function actionSummary(
  action: Playbook['actions'][number],
  env: Readonly<Record<string, string | undefined>>,
): ActionSummary {
  const [channel, settings] = Object.entries(action)[0] ?? ['unknown', {}];
  const fields = Object.entries((settings ?? {}) as Record<string, unknown>);
  const url = fields.find(([k]) => k === 'url')?.[1];
  let target_host: string | null = null;
  if (typeof url === 'string') {
    try {
      target_host = new URL(url).host;
    } catch {
      target_host = null;
    }
  }
  return {
    channel,
    target_host,
    env: fields
      .filter(([k, v]) => k.endsWith('_env') && typeof v === 'string')
      .map(([key, name]) => ({
        key,
        name: name as string,
        is_set: Object.hasOwn(env, name as string) && (env[name as string] ?? '') !== '',
      })),
  };
}

/** One playbook as listed (counts given, or null). */
export function playbookListing(
  name: string,
  p: Playbook,
  env: Readonly<Record<string, string | undefined>>,
  counts: Record<DeliveryStatus, number> | null,
): PlaybookListing {
  return {
    name,
    description: p.description ?? null,
    enabled: p.enabled,
    definition: p.definition ?? null,
    trigger: p.trigger,
    trigger_text: triggerInWords(p.trigger),
    filters: p.filters,
    actions: p.actions.map((a) => actionSummary(a, env)),
    limits: p.limits,
    deliveries: counts,
  };
}

/** The project's deliveries per playbook and status; null where the engine has no outbox. */
export async function deliveryCounts(
  engine: Engine,
  projectId: string,
): Promise<Map<string, Record<DeliveryStatus, number>> | null> {
  if (!engine.dialect.capabilities.transactions) return null;
  const { sql, params } = compileDeliveryCounts(engine.dialect, projectId);
  const rows = await engine.query<{ playbook: string; status: DeliveryStatus; n: number | bigint }>(
    sql,
    params,
  );
  const out = new Map<string, Record<DeliveryStatus, number>>();
  for (const r of rows) {
    const c = out.get(r.playbook) ?? { queued: 0, sent: 0, dead: 0 };
    c[r.status] = Number(r.n);
    out.set(r.playbook, c);
  }
  return out;
}

/** Every playbook of the project's config, with its deliveries counted, in name order. */
export async function listPlaybooks(
  engine: Engine,
  options: {
    projectId: string;
    playbooks: Readonly<Record<string, Playbook>>;
    env: Readonly<Record<string, string | undefined>>;
  },
): Promise<PlaybookListing[]> {
  const counts = await deliveryCounts(engine, options.projectId);
  return Object.entries(options.playbooks)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, p]) =>
      playbookListing(
        name,
        p,
        options.env,
        counts ? (counts.get(name) ?? { queued: 0, sent: 0, dead: 0 }) : null,
      ),
    );
}

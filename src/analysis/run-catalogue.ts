import type { Engine } from '../engines/engine.js';
import {
  type Catalogue,
  type FeatureConfig,
  type FeatureTag,
  literalGlob,
} from '../model/catalogue.js';
import { compileActiveUsers } from '../sql/compile-active-users.js';
import { compileFeatures } from '../sql/compile-features.js';
import { featureLabel, featureLabels } from './feature-labels.js';
import { signalsInput } from './score-users.js';

export interface CatalogueEntry {
  feature: string;
  label: string;
  /** configured in the config file, or inferred from an event name. */
  source: 'configured' | 'inferred';
  kind: 'core' | 'advanced';
  tags: FeatureTag[];
  events: string[];
  released: string | null;
  users: number;
  /** Share of the window's active users who used it. */
  users_share: number;
}

export interface CatalogueListing {
  as_of: string;
  window_days: number;
  active_users: number;
  features: CatalogueEntry[];
}

/** The window the catalogue is read over when none is asked for. */
export const CATALOGUE_WINDOW_DAYS = 30;

/** The effective catalogue over a window: configured features and those inferred from events. */
export async function runCatalogue(
  engine: Engine,
  options: {
    projectId: string;
    /** The last day of the window, resolved where the request entered (resolveAsOf). */
    asOf: string;
    windowDays: number;
    catalogue: Catalogue;
  },
): Promise<CatalogueListing> {
  const { asOf } = options;
  const d = engine.dialect;
  const input = {
    ...signalsInput(
      {
        projectId: options.projectId,
        asOf,
        catalogue: options.catalogue,
      },
      d,
    ),
    windowDays: options.windowDays,
  };
  const { sql, params } = compileFeatures(input, false);
  const rows = await engine.query<{
    feature: string;
    inferred: boolean;
    is_advanced: boolean;
    is_login: boolean;
    is_collaboration: boolean;
    is_feedback: boolean;
    is_key: boolean;
    released: string | null;
    users: number;
    events: string[] | null;
  }>(sql, params);
  const activeQuery = compileActiveUsers(d, {
    projectId: options.projectId,
    asOf,
    windowDays: options.windowDays,
  });
  const [active] = await engine.query<{ n: number }>(activeQuery.sql, activeQuery.params);
  const activeUsers = active?.n ?? 0;
  const labels = featureLabels(options.catalogue);
  return {
    as_of: asOf,
    window_days: options.windowDays,
    active_users: activeUsers,
    features: rows.map((r) => {
      const tags: FeatureTag[] = [];
      if (r.is_key) tags.push('key_action');
      if (r.is_collaboration) tags.push('collaboration');
      if (r.is_feedback) tags.push('feedback');
      if (r.is_login) tags.push('login');
      return {
        feature: r.feature,
        label: featureLabel(r.feature, labels),
        source: r.inferred ? 'inferred' : 'configured',
        kind: r.is_advanced ? 'advanced' : 'core',
        tags,
        events: r.events ?? [],
        released: r.released,
        users: r.users,
        users_share: activeUsers > 0 ? r.users / activeUsers : 0,
      };
    }),
  };
}

/**
 * The catalogue to save for editing: configured features exactly as written, each inferred one
 * as a feature of its own event with the kind and tags inferred today (so later data no longer
 * moves it between core and advanced).
 */
export function catalogueForConfig(current: Catalogue, listing: CatalogueListing): Catalogue {
  const inferred: FeatureConfig[] = listing.features
    .filter((f) => f.source === 'inferred')
    .map((f) => ({ name: f.feature, events: literalGlob(f.feature), kind: f.kind, tags: f.tags }));
  return { ...current, features: [...current.features, ...inferred] };
}

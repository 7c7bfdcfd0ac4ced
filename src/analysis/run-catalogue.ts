import type { Engine } from '../engines/engine.js';
import {
  type Catalogue,
  type FeatureConfig,
  type FeatureTag,
  type ListingTag,
  literalGlob,
} from '../model/catalogue.js';
import { compileActiveUsers } from '../sql/compile-active-users.js';
import { compileFeatures } from '../sql/compile-features.js';
import { type FeatureRow, featureReasons, listingTags } from './catalogue-reasons.js';
import { featureLabel, featureLabels } from './feature-labels.js';
import { signalsInput } from './score-users.js';

export interface CatalogueEntry {
  feature: string;
  label: string;
  /** configured in the config file, or inferred from an event name. */
  source: 'configured' | 'inferred';
  kind: 'core' | 'advanced';
  /** Configured or inferred tags; innovation when it has a release date. */
  tags: ListingTag[];
  events: string[];
  /** Configured, or inferred: the first day of a feature new in the data. */
  released: string | null;
  /** The first day any of its events was seen, up to the as-of date. */
  first_seen: string | null;
  users: number;
  /** Share of the window's active users who used it. */
  users_share: number;
  /** Why it has its kind and each tag, one sentence each. */
  reasons: string[];
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
  const rows = await engine.query<FeatureRow & { events: string[] | null }>(sql, params);
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
    features: rows.map((r) => ({
      feature: r.feature,
      label: featureLabel(r.feature, labels),
      source: r.inferred ? 'inferred' : 'configured',
      kind: r.is_advanced ? 'advanced' : 'core',
      tags: listingTags(r),
      events: r.events ?? [],
      released: r.released,
      first_seen: r.first_seen,
      users: r.users,
      users_share: activeUsers > 0 ? r.users / activeUsers : 0,
      reasons: featureReasons(r, {
        activeUsers,
        advancedBelowPercent: options.catalogue.advanced_below_percent,
        anyKeyAction: rows.some((x) => x.is_key),
      }),
    })),
  };
}

/**
 * The catalogue to save for editing: configured features exactly as written, each inferred one
 * as a feature of its own event with the kind, tags and release date inferred today (so later
 * data no longer moves it between core and advanced).
 */
export function catalogueForConfig(current: Catalogue, listing: CatalogueListing): Catalogue {
  const inferred: FeatureConfig[] = listing.features
    .filter((f) => f.source === 'inferred')
    .map((f) => ({
      name: f.feature,
      events: literalGlob(f.feature),
      kind: f.kind,
      tags: f.tags.filter((t): t is FeatureTag => t !== 'innovation'),
      ...(f.released === null ? {} : { released: f.released }),
    }));
  return { ...current, features: [...current.features, ...inferred] };
}

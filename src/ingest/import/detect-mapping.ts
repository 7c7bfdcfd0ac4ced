import {
  type EventField,
  FIELD_CANDIDATES,
  GROUPS_CONTAINER,
  NESTED_CONTAINERS,
  normaliseName,
} from './field-candidates.js';

/** A source field: a top-level column, or a path into a nested object (["properties","time"]). */
export type FieldPath = readonly string[];

export type FieldMapping = Partial<Record<EventField, FieldPath>>;

export type ExportShape = 'amplitude' | 'mixpanel' | 'segment' | 'generic';

export interface DetectedMapping {
  mapping: FieldMapping;
  shape: ExportShape;
  /** Segment exports: the field naming each record's call (track, page, identify, ...). */
  recordType?: FieldPath;
  /**
   * The fields whose nested path takes the first element of a list found there: the account
   * (Amplitude's groups), and every field a flag names. Detected paths into `properties` and
   * the like are read as they are: the check costs every row of a Mixpanel export.
   */
  firstOfList: EventField[];
}

export class MappingError extends Error {}

const REQUIRED: readonly EventField[] = ['user', 'time', 'event'];
const FLAG: Record<EventField, string> = {
  user: '--user',
  time: '--time',
  event: '--event',
  account: '--account',
  id: '--id',
  anonymous: '--anonymous',
};

export function formatPath(path: FieldPath): string {
  return path.join('.');
}

/** Splits a flag value into a path; a column literally named "a.b" wins over the path a -> b. */
export function parseFieldFlag(value: string, available: readonly FieldPath[]): FieldPath {
  const exact = available.find((p) => p.length === 1 && p[0] === value);
  if (exact) return exact;
  const byPath = available.find((p) => formatPath(p) === value);
  if (byPath) return byPath;
  const loose = available.find((p) => normaliseName(formatPath(p)) === normaliseName(value));
  if (loose) return loose;
  return value.split('.');
}

function detectShape(fields: readonly FieldPath[]): ExportShape {
  const names = new Set(fields.map((f) => formatPath(f)));
  if (names.has('event_type') && names.has('event_time')) return 'amplitude';
  if (names.has('event') && names.has('properties.time') && names.has('properties.distinct_id')) {
    return 'mixpanel';
  }
  if (names.has('type') && (names.has('userId') || names.has('anonymousId'))) return 'segment';
  return 'generic';
}

/**
 * The account of an Amplitude export without an account column: the group type in `groups` named
 * like an account (company_id, org_id, ...), else the first one seen. Its value is a list; the
 * import takes the first element (field-exprs.ts).
 */
function amplitudeGroup(fields: readonly FieldPath[]): FieldPath | undefined {
  const groups = fields.filter((f) => f.length === 2 && f[0] === GROUPS_CONTAINER);
  for (const candidate of FIELD_CANDIDATES.account) {
    const hit = groups.find((f) => normaliseName(f[1] ?? '') === normaliseName(candidate));
    if (hit) return hit;
  }
  return groups[0];
}

/**
 * Picks a source field for every event field: explicit flags first, then the known names, at top
 * level before nested. Missing required fields raise an error that lists what the file has.
 */
export function detectMapping(
  fields: readonly FieldPath[],
  flags: Partial<Record<EventField, string>>,
): DetectedMapping {
  const mapping: FieldMapping = {};
  const used = new Set<string>();
  const byName = new Map<string, FieldPath>();
  for (const f of fields) {
    const key = f.length === 1 ? normaliseName(f[0] ?? '') : '';
    if (key && !byName.has(key)) byName.set(key, f);
  }
  const nested = new Map<string, FieldPath>();
  for (const container of NESTED_CONTAINERS) {
    for (const f of fields) {
      if (f.length === 2 && f[0] === container) {
        const key = normaliseName(f[1] ?? '');
        if (!nested.has(key)) nested.set(key, f);
      }
    }
    // Flattened exports spell nested fields as column names such as "properties.time".
    for (const f of fields) {
      if (f.length === 1 && f[0]?.startsWith(`${container}.`)) {
        const key = normaliseName(f[0].slice(container.length + 1));
        if (!nested.has(key)) nested.set(key, f);
      }
    }
  }

  const fieldOrder: EventField[] = ['id', 'event', 'time', 'user', 'anonymous', 'account'];
  for (const field of fieldOrder) {
    const flag = flags[field];
    if (flag !== undefined) {
      const path = parseFieldFlag(flag, fields);
      // A path into a column holding JSON (an object in NDJSON, JSON text in CSV) may go deeper
      // than the sampled keys, or reach keys some rows lack: its column is enough.
      const known = fields.some(
        (f) =>
          formatPath(f) === formatPath(path) ||
          (path.length > 1 && f.length === 1 && f[0] === path[0]),
      );
      if (!known && fields.length > 0) {
        throw new MappingError(
          `${FLAG[field]} ${flag}: the file has no such field. Fields found: ${fields
            .map(formatPath)
            .slice(0, 40)
            .join(', ')}.`,
        );
      }
      mapping[field] = path;
      used.add(formatPath(path));
      continue;
    }
    for (const source of [byName, nested]) {
      if (mapping[field]) break;
      for (const candidate of FIELD_CANDIDATES[field]) {
        const path = source.get(normaliseName(candidate));
        if (path && !used.has(formatPath(path))) {
          mapping[field] = path;
          used.add(formatPath(path));
          break;
        }
      }
    }
  }

  const missing = REQUIRED.filter((f) => !mapping[f] && !(f === 'user' && mapping.anonymous));
  if (missing.length > 0) {
    const list = fields.map(formatPath).slice(0, 40).join(', ') || '(none)';
    throw new MappingError(
      `cannot tell which field holds the ${missing.join(', ')}. Fields found: ${list}. ` +
        `Name them with ${missing.map((f) => `${FLAG[f]} FIELD`).join(' ')}.`,
    );
  }
  const firstOfList: EventField[] = [
    'account',
    ...fieldOrder.filter((f) => f !== 'account' && f !== 'time' && flags[f] !== undefined),
  ];
  const shape = detectShape(fields);
  if (shape === 'amplitude' && !mapping.account) {
    const group = amplitudeGroup(fields);
    if (group) mapping.account = group;
  }
  if (shape !== 'segment') return { mapping, shape, firstOfList };
  // In a Segment export a top-level groupId belongs to group calls; track calls carry the
  // account in context.groupId.
  const contextGroup = fields.find((f) => formatPath(f) === 'context.groupId');
  if (
    flags.account === undefined &&
    contextGroup &&
    formatPath(mapping.account ?? []) === 'groupId'
  ) {
    mapping.account = contextGroup;
  }
  return { mapping, shape, recordType: ['type'], firstOfList };
}

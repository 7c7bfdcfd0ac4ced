import {
  type EventField,
  FIELD_CANDIDATES,
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
      const known = fields.some((f) => formatPath(f) === formatPath(path));
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
  const shape = detectShape(fields);
  if (shape !== 'segment') return { mapping, shape };
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
  return { mapping, shape, recordType: ['type'] };
}

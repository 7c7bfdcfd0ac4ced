import type { FieldMapping, FieldPath } from './detect-mapping.js';
import type { EventField } from './field-candidates.js';
import type { ImportPlanInput } from './import-plan-input.js';
import type { ParamBag } from './param-bag.js';
import { textTimeSql, timeSqlForType } from './timestamp-sql.js';

/** The SQL expressions that read each event field out of a source row, per kind of file. */

/** Source columns are renamed positionally, so file-controlled names never become identifiers. */
export const alias = (i: number): string => `c${i}`;

/**
 * Exports keep event properties in a nested object; it is lifted to the top of `properties` and
 * merged with the remaining top-level fields, minus the fields mapped to event columns.
 */
const LIFTED_CONTAINERS: readonly string[] = ['properties', 'event_properties'];

/** The mapped fields nested one level in each container, as a merge patch that deletes them. */
function nestedDrops(mapping: FieldMapping): Record<string, Record<string, null>> {
  const drops: Record<string, Record<string, null>> = {};
  for (const path of Object.values(mapping)) {
    const [head, second] = path ?? [];
    if (path?.length !== 2 || head === undefined || second === undefined) continue;
    drops[head] ??= {};
    (drops[head] as Record<string, null>)[second] = null;
  }
  return drops;
}

export interface FieldExprs {
  user: string;
  /** The record's call type (Segment), NULL when the format has none. */
  recordType?: string;
  anonymous: string;
  time: string;
  /** True when the row has a non-blank time value, parseable or not. */
  timeGiven: string;
  event: string;
  account: string;
  id: string;
  properties: string;
  raw: string;
  line: string;
}

export function columnarFields(input: ImportPlanInput, p: ParamBag): FieldExprs {
  const index = new Map(input.columns.map((c, i) => [c.name, i]));
  const mapped = new Set<number>();
  const lists = new Set(input.firstOfList ?? []);
  const ref = (field: EventField): { sql: string; type: string } | null => {
    const path = input.mapping[field];
    if (!path || path.length === 0) return null;
    const i = index.get(path[0] ?? '');
    if (i === undefined) return null;
    mapped.add(i);
    const col = input.columns[i];
    if (path.length === 1) return { sql: alias(i), type: col?.type ?? 'VARCHAR' };
    // A nested field of a STRUCT column, or of a text column holding JSON (CSV has only text):
    // text that is not JSON has no such field.
    const json = /^VARCHAR$/i.test(col?.type ?? '')
      ? `TRY_CAST(${alias(i)} AS JSON)`
      : `to_json(${alias(i)})`;
    const sql = lists.has(field)
      ? nestedText(json, p, path.slice(1))
      : `json_extract_string(${json}, ${jsonPathParam(p, path.slice(1))})`;
    return { sql, type: 'VARCHAR' };
  };
  const text = (r: { sql: string } | null): string =>
    r ? `nullif(trim(CAST(${r.sql} AS VARCHAR)), '')` : 'CAST(NULL AS VARCHAR)';
  const user = text(ref('user'));
  const anonymous = text(ref('anonymous'));
  const event = text(ref('event'));
  const account = text(ref('account'));
  const id = text(ref('id'));
  const t = ref('time');
  const time = t ? timeSqlForType(t.sql, t.type) : 'CAST(NULL AS TIMESTAMPTZ)';
  const timeGiven = `${text(t)} IS NOT NULL`;
  // Nested mapping paths keep their column in properties: the rest of it is still data.
  for (const path of Object.values(input.mapping)) {
    if (path && path.length > 1) mapped.delete(index.get(path[0] ?? '') ?? -1);
  }
  const propArgs: string[] = [];
  const rawArgs: string[] = [];
  const lifted: number[] = [];
  input.columns.forEach((c, i) => {
    const key = p.add(c.name);
    rawArgs.push(key, alias(i));
    // A STRUCT container (Mixpanel's properties in Parquet) is lifted as NDJSON's object is.
    if (LIFTED_CONTAINERS.includes(c.name) && /^STRUCT\(/i.test(c.type)) lifted.push(i);
    else if (!mapped.has(i)) propArgs.push(key, alias(i));
  });
  let properties = propArgs.length
    ? `json_object(${propArgs.join(', ')})`
    : lifted.length
      ? `'{}'::JSON`
      : 'CAST(NULL AS JSON)';
  const drops = nestedDrops(input.mapping);
  for (const i of lifted) {
    const drop = p.add(JSON.stringify(drops[input.columns[i]?.name ?? ''] ?? {}));
    properties = `json_merge_patch(${properties},
      coalesce(json_merge_patch(to_json(${alias(i)}), ${drop}), '{}'::JSON))`;
  }
  return {
    user,
    anonymous,
    event,
    account,
    id,
    time,
    timeGiven,
    properties,
    raw: `CAST(json_object(${rawArgs.join(', ')}) AS VARCHAR)`,
    line: input.format === 'csv' ? 'row_number() OVER () + 1' : 'row_number() OVER ()',
  };
}

/**
 * The path to a field as a bound JSON Pointer (RFC 6901: "/properties/time", "~" and "/" in a name
 * written ~0 and ~1). Names come from the file or from flags, and the $."name" syntax cannot carry
 * them all: DuckDB reads $."*" as the wildcard however it is quoted, refuses $."", and needs every
 * backslash and quote escaped. A pointer has no quoting at all.
 */
function jsonPointer(path: FieldPath): string {
  return path.map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function jsonPathParam(p: ParamBag, path: FieldPath): string {
  return p.add(jsonPointer(path));
}

/**
 * The text at a path inside a JSON value; a list there gives its first element, so Amplitude's
 * groups ({"company_id": ["org_02"]}) name the account "org_02", and an empty list none.
 */
function nestedText(json: string, p: ParamBag, path: FieldPath): string {
  const at = jsonPathParam(p, path);
  return `CASE WHEN json_type(${json}, ${at}) = 'ARRAY'
    THEN json_extract_string(${json}, ${jsonPathParam(p, [...path, '0'])})
    ELSE json_extract_string(${json}, ${at}) END`;
}

export function ndjsonFields(input: ImportPlanInput, p: ParamBag): FieldExprs {
  const lists = new Set(input.firstOfList ?? []);
  const get = (path: FieldPath | undefined, firstOfList = false): string => {
    if (!path) return 'CAST(NULL AS VARCHAR)';
    const value =
      firstOfList && path.length > 1
        ? nestedText('j', p, path)
        : `json_extract_string(j, ${jsonPathParam(p, path)})`;
    return `nullif(trim(${value}), '')`;
  };
  const field = (f: EventField): string => get(input.mapping[f], lists.has(f));
  const dropTop: Record<string, null> = {};
  for (const path of Object.values(input.mapping)) {
    const head = path?.[0];
    if (path?.length === 1 && head !== undefined) dropTop[head] = null;
  }
  const dropNested = nestedDrops(input.mapping);
  for (const c of LIFTED_CONTAINERS) dropTop[c] = null;
  let props = `json_merge_patch(j, ${p.add(JSON.stringify(dropTop))})`;
  for (const c of LIFTED_CONTAINERS) {
    const path = jsonPathParam(p, [c]);
    const drop = p.add(JSON.stringify(dropNested[c] ?? {}));
    props = `json_merge_patch(${props}, CASE WHEN json_type(j, ${path}) = 'OBJECT'
      THEN json_merge_patch(json_extract(j, ${path}), ${drop}) ELSE '{}'::JSON END)`;
  }
  const recordType = input.recordType ? get(input.recordType) : 'CAST(NULL AS VARCHAR)';
  return {
    user: field('user'),
    anonymous: field('anonymous'),
    // Segment page and screen calls are events without an event name.
    event: `coalesce(${field('event')}, CASE ${recordType} WHEN 'page' THEN 'page_viewed'
      WHEN 'screen' THEN 'screen_viewed' END)`,
    recordType,
    account: field('account'),
    id: field('id'),
    time: input.mapping.time
      ? textTimeSql(`json_extract_string(j, ${jsonPathParam(p, input.mapping.time)})`)
      : 'CAST(NULL AS TIMESTAMPTZ)',
    timeGiven: `${get(input.mapping.time)} IS NOT NULL`,
    properties: props,
    raw: 'line',
    line: '_line',
  };
}

/**
 * What the collector writes to its durable log, one JSON line per record, for the loader to
 * store: an event, an identify (user traits), a group (account traits and membership), an alias
 * (two ids of one person), or a rejected message with its reason.
 */
export type TimestampFlag = 'skew_corrected' | 'missing' | 'unparseable' | 'absurd';

interface Common {
  project_id: string;
  message_id: string;
  /** ISO 8601, UTC: when it happened, corrected for the client's clock when possible. */
  timestamp: string;
  /** Set when the timestamp was not taken as given: corrected, or replaced by received_at. */
  timestamp_flag?: TimestampFlag;
  received_at: string;
  source: string;
}

export interface EventRecord extends Common {
  kind: 'event';
  user_id: string | null;
  anonymous_id: string | null;
  account_id: string | null;
  event: string;
  properties: Record<string, unknown>;
}

export interface IdentifyRecord extends Common {
  kind: 'identify';
  user_id: string | null;
  anonymous_id: string | null;
  traits: Record<string, unknown>;
}

export interface GroupRecord extends Common {
  kind: 'group';
  user_id: string | null;
  anonymous_id: string | null;
  account_id: string;
  traits: Record<string, unknown>;
}

export interface AliasRecord extends Common {
  kind: 'alias';
  user_id: string;
  previous_id: string;
}

export interface FailedRecord {
  kind: 'failed';
  project_id: string;
  source: string;
  reason: string;
  /** The message as received (with its request's type, sentAt and context), as JSON text cut at 1 MB. */
  raw: string;
  received_at: string;
}

export type LogRecord = EventRecord | IdentifyRecord | GroupRecord | AliasRecord | FailedRecord;

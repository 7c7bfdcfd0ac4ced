/**
 * Which source fields feed which event field when the user gives no mapping flag. Order matters:
 * earlier names win. Names are compared after lower-casing and dropping everything but letters and
 * digits, so userId, user_id and "User ID" are the same name.
 */
export type EventField = 'user' | 'time' | 'event' | 'account' | 'id' | 'anonymous';

export const FIELD_CANDIDATES: Record<EventField, readonly string[]> = {
  user: ['user_id', 'userId', 'distinct_id', '$user_id', 'user', 'uid', 'person_id', 'customer_id'],
  time: [
    'timestamp',
    'time',
    'event_time',
    'ts',
    'event_timestamp',
    'occurred_at',
    'client_event_time',
    'created_at',
    'datetime',
  ],
  event: ['event', 'event_type', 'event_name', 'name', 'action'],
  account: [
    'account_id',
    'accountId',
    'group_id',
    'groupId',
    'company_id',
    'companyId',
    'organization_id',
    'org_id',
    'workspace_id',
    'team_id',
    'tenant_id',
  ],
  // A bare `id` is left out on purpose: in many exports it is a row or user id, and taking it for
  // the message id would silently drop distinct events as duplicates. Use --id id when it is one.
  id: ['message_id', 'messageId', '$insert_id', 'insert_id', 'uuid', 'event_id'],
  anonymous: ['anonymous_id', 'anonymousId', 'device_id', '$device_id'],
};

/**
 * Amplitude's group types and their values ({"company_id": ["org_02"]}): where its exports keep
 * the account. Its keys are listed with the fields, but only the account is looked for there.
 */
export const GROUPS_CONTAINER = 'groups';

/** Nested objects searched (after top-level fields) for the event fields, as exports nest them. */
export const NESTED_CONTAINERS = ['properties', 'context', 'event_properties'] as const;

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

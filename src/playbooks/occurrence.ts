import type { Channel, SubjectType, TriggerKind } from '../model/playbook.js';

/**
 * One time a playbook's trigger fired for one subject: the unit that is sent once. Its id is
 * stable (the same playbook, trigger, subject and period give the same id), so evaluating the
 * same snapshots twice finds the occurrence already recorded and queues nothing new.
 */
export interface Occurrence {
  /** sha256 of project, playbook, trigger, subject and period, hex: the idempotency key. */
  occurrence_id: string;
  project_id: string;
  playbook: string;
  trigger: TriggerKind;
  /** Whom it is about: a user, an account, or the project (an alert). */
  subject_type: SubjectType;
  /** The user's id, the account's id, or the project's id for an alert. */
  subject_id: string;
  /** The subject's account ('' for none, and for a project alert). */
  account_id: string;
  /** The first day of the snapshot period in which it fired. */
  period_start: string;
  /** Why, in one sentence (the lifecycle reason or the segment change). */
  explanation: string;
  /** The numbers behind it: score, state, segments, what changed. */
  data: Record<string, string | number | boolean | null | string[]>;
}

/** A delivery's state in the outbox. */
export type DeliveryStatus = 'queued' | 'sent' | 'dead';

/** One action of one occurrence, as queued in the outbox and sent by the dispatcher. */
export interface Delivery {
  /** The webhook-id every attempt carries (msg_ + 26 characters), fixed when queued. */
  delivery_id: string;
  occurrence_id: string;
  project_id: string;
  playbook: string;
  /** Which of the playbook's actions (0-based). */
  action_index: number;
  channel: Channel;
  /** The JSON body, fixed when queued: every retry sends the same bytes. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due (ISO instant); null once sent or dead. */
  next_attempt_at: string | null;
  created_at: string;
  last_error: string | null;
}

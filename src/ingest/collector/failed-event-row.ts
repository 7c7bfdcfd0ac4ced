/** A row of failed_events as the CLI, the API and re-submission read it (instants as ISO text). */
export interface FailedEventRow {
  failed_id: string;
  source: string;
  source_line: number | null;
  reason: string;
  raw: string | null;
  failed_at: string;
  resolved_at: string | null;
}

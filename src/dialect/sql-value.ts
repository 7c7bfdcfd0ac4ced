/** A value bound to a named parameter. Values are never spliced into SQL text. */
export type SqlValue = string | number | boolean | null | readonly string[];

export type SqlParams = Readonly<Record<string, SqlValue>>;

/** A request the use cases cannot answer as asked: its message says why, in the user's terms. */
export class AnalysisError extends Error {}

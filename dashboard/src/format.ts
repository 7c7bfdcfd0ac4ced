export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const pct = (share: number, digits = 1): string => `${(share * 100).toFixed(digits)}%`;
/** A score, always with its tenth (87.0, not 87 beside 86.9), so a column of them lines up. */
export const score = (n: number): string => n.toFixed(1);

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const pct = (share: number, digits = 1): string => `${(share * 100).toFixed(digits)}%`;

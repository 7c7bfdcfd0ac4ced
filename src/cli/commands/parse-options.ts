import { InvalidArgumentError } from 'commander';

export function parseWindow(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 366) {
    throw new InvalidArgumentError(`--window ${value}: use a whole number of days from 1 to 366.`);
  }
  return n;
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${flag} ${value}: use a whole number greater than 0.`);
  }
  return n;
}

import { InvalidArgumentError } from 'commander';
import { windowDaysProblem } from '../../time/days.js';

export function parseWindow(value: string): number {
  const problem = windowDaysProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return Number(value);
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${flag} ${value}: use a whole number greater than 0.`);
  }
  return n;
}

import { InvalidArgumentError, Option } from 'commander';
import { DAY_HINT, isIsoDay, WINDOW_HINT, windowDaysProblem } from '../../time/days.js';
import { PERIOD_KINDS } from '../../time/periods.js';

export function parseWindow(value: string): number {
  if (windowDaysProblem(value)) {
    throw new InvalidArgumentError(`--window ${value}: ${WINDOW_HINT}.`);
  }
  return Number(value);
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${flag} ${value}: use a whole number greater than 0.`);
  }
  return n;
}

/** A parser for a flag that takes a day written YYYY-MM-DD. */
export function parseIsoDay(flag: string): (value: string) => string {
  return (value) => {
    if (!isIsoDay(value)) {
      throw new InvalidArgumentError(`${flag} ${value}: ${DAY_HINT}.`);
    }
    return value;
  };
}

/** `--period day|week|month`, for the commands that read snapshots. */
export function periodOption(description: string): Option {
  return new Option('--period <period>', description).choices([...PERIOD_KINDS]);
}

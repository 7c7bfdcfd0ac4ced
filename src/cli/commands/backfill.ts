import type { Command } from 'commander';
import { snapshotCommand } from './snapshot.js';

export function registerBackfill(program: Command): void {
  snapshotCommand(
    program,
    'backfill',
    'compute the snapshots of every period since a date (history for lifecycle)',
    true,
  );
}

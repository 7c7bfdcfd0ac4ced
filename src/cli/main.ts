#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { registerAccounts } from './commands/accounts.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerBackfill } from './commands/backfill.js';
import { registerCatalogue } from './commands/catalogue.js';
import { registerDemo } from './commands/demo.js';
import { registerExplain } from './commands/explain.js';
import { registerFailedEvents } from './commands/failed-events.js';
import { registerImport } from './commands/import.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPlaybooks } from './commands/playbooks.js';
import { registerProjects } from './commands/projects.js';
import { registerRollup } from './commands/rollup.js';
import { registerServe } from './commands/serve.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerUsers } from './commands/users.js';

// A reader that stops early (`powerlens users --csv | head`) closes the pipe: that is the reader's
// choice, not an error to report with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command()
  .name('powerlens')
  .description("Find, explain, track and act on your product's power users.")
  .version('0.1.0')
  .showHelpAfterError('(run powerlens --help for the commands)')
  .exitOverride();

registerImport(program);
registerRollup(program);
registerAnalyze(program);
registerUsers(program);
registerExplain(program);
registerSnapshot(program);
registerBackfill(program);
registerLifecycle(program);
registerAccounts(program);
registerPlaybooks(program);
registerCatalogue(program);
registerDemo(program);
registerFailedEvents(program);
registerProjects(program);
registerServe(program);
registerMigrate(program);

/**
 * A mistake in a command line gets the error and one line naming the help to read: the whole
 * help after it buried the error under a screen of options.
 */
function hintAfterErrors(command: Command, path: string): void {
  for (const sub of command.commands) {
    const name = `${path} ${sub.name()}`;
    const what = sub.commands.length > 0 ? 'commands' : 'options';
    sub.showHelpAfterError(`(run ${name} --help for the ${what})`);
    hintAfterErrors(sub, name);
  }
}
hintAfterErrors(program, 'powerlens');

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else {
    const full = err instanceof Error ? err.message : String(err);
    // Database errors can quote a whole input line (up to 64 MB): keep the message readable.
    const message =
      full.length > 2000 ? `${full.slice(0, 2000)}... (${full.length} characters)` : full;
    process.stderr.write(`${pc.red('error:')} ${message}\n`);
    if (process.env.POWERLENS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}

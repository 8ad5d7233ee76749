import { Command } from 'commander';
import { registerDbCommands } from './commands/db';
import { registerFeaturesCommand } from './commands/features';

/** The `ballast` command: each command lives in its own file under commands/ and calls packages. */
export function buildProgram(): Command {
  const program = new Command('ballast')
    .description('Ballast: an event-driven crypto trading platform that survives first')
    .showHelpAfterError();
  registerDbCommands(program);
  registerFeaturesCommand(program);
  return program;
}

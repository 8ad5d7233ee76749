import { Command } from 'commander';
import { registerBackfillCommand } from './commands/backfill';
import { registerBacktestCommand } from './commands/backtest';
import { registerControlCommands } from './commands/control';
import { registerDbCommands } from './commands/db';
import { registerDecisionsCommand } from './commands/decisions';
import { registerDemoCommand } from './commands/demo';
import { registerFeaturesCommand } from './commands/features';
import { registerImportCommand } from './commands/import';
import { registerOptimizeCommand } from './commands/optimize';
import { registerReadinessCommand } from './commands/readiness';

/** The `ballast` command: each command lives in its own file under commands/ and calls packages. */
export function buildProgram(): Command {
  const program = new Command('ballast')
    .description('Ballast: an event-driven crypto trading platform that survives first')
    .showHelpAfterError();
  registerDbCommands(program);
  registerImportCommand(program);
  registerBackfillCommand(program);
  registerFeaturesCommand(program);
  registerDecisionsCommand(program);
  registerControlCommands(program);
  registerBacktestCommand(program);
  registerDemoCommand(program);
  registerOptimizeCommand(program);
  registerReadinessCommand(program);
  return program;
}

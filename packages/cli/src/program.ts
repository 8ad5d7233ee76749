import { Command } from 'commander';
import { registerBackfillCommand } from './commands/backfill';
import { registerBacktestCommand } from './commands/backtest';
import { registerControlCommands } from './commands/control';
import { registerDbCommands } from './commands/db';
import { registerDecisionsCommand } from './commands/decisions';
import { registerDemoCommand } from './commands/demo';
import { registerDownCommand } from './commands/down';
import { registerFeaturesCommand } from './commands/features';
import { registerHourStatsCommand } from './commands/hour-stats';
import { registerImportCommand } from './commands/import';
import { registerOptimizeCommand } from './commands/optimize';
import { registerReadinessCommand } from './commands/readiness';
import { registerReconCommand } from './commands/recon';
import { registerStatusCommand } from './commands/status';
import { registerUpCommand } from './commands/up';

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
  registerHourStatsCommand(program);
  registerReconCommand(program);
  registerUpCommand(program);
  registerStatusCommand(program);
  registerDownCommand(program);
  return program;
}

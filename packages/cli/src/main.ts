import { buildProgram } from './program';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  console.error(`ballast: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}

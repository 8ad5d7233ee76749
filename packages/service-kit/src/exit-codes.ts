/** Process exit codes `runService` uses; 78 is sysexits' EX_CONFIG, so supervisors can tell "fix the env" apart. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  config: 78,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

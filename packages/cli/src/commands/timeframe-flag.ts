import { Timeframe } from '@ballast/contracts';

/** `--timeframe` as a Timeframe, or an error naming the flag and the choices (not the schema's issue list). */
export function timeframeFlag(text: string): Timeframe {
  const parsed = Timeframe.safeParse(text);
  if (!parsed.success) throw new Error(`--timeframe: one of ${Timeframe.options.join(', ')}, got ${text}`);
  return parsed.data;
}

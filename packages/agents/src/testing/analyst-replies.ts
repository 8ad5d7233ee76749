import type { RecordedRequest, ScriptedReply } from './scripted-server';
import { geminiJson } from './wire-replies';

/** The analyst prompt as Gemini received it. */
export function geminiPrompt(request: RecordedRequest): string {
  return JSON.parse(request.body).contents[0].parts[0].text as string;
}

/** A model analyst that agrees with the candidate's own levels, read back from its prompt. */
export function analystReply(request: RecordedRequest, confidence = 61): ScriptedReply {
  const levels = /entry (\d+(?:\.\d+)?), stop (\d+(?:\.\d+)?), targets (\d+(?:\.\d+)?)/.exec(
    geminiPrompt(request),
  );
  const [entry, stop, target] = (levels ?? []).slice(1).map(Number);
  return geminiJson(
    JSON.stringify({
      setup: 'as proposed',
      trend: (target ?? 0) > (entry ?? 0) ? 'up' : 'down',
      strength: 40,
      entryLow: Math.min(entry ?? 1, target ?? 1),
      entryHigh: entry,
      stop,
      takeProfit: target,
      confidence,
      reasoning: 'model: structure intact',
    }),
  );
}

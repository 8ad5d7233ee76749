import type { BybitInstruments } from './bybit-rest';
import { type BybitAck, recordedBybitAck } from './bybit-ws';
import { readRecordedFile } from './recorded-file';
import { parseBybitFrames } from './recorded-frame';
import { ReplayFeed, type ReplayFeedOptions, type ReplaySpeed } from './replay-feed';
import { type BybitOptions, DEFAULTS } from './sim-options';

export interface BybitVenue {
  frames: ReplayFeed;
  ack: BybitAck;
  instruments: BybitInstruments;
}

/** Loads the recorded Bybit frames (files concatenated in order) and instruments-info documents. */
export function loadBybitVenue(
  dataDir: string,
  opts: BybitOptions,
  speed: ReplaySpeed,
  feedOpts: ReplayFeedOptions,
): BybitVenue {
  const o = { ...DEFAULTS.bybit, ...opts };
  const recorded = o.framesFiles.flatMap((f) => parseBybitFrames(readRecordedFile(dataDir, f)));
  const instruments = new Map(
    Object.entries(o.instrumentsFiles).map(([category, file]) => [
      category,
      JSON.parse(readRecordedFile(dataDir, file)),
    ]),
  );
  return {
    frames: new ReplayFeed('bybit', recorded, speed, feedOpts),
    ack: recordedBybitAck(recorded),
    instruments,
  };
}

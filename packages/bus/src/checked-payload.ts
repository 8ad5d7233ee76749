import { type SubjectFamily, Subjects } from '@ballast/contracts';
import { checkedBookUpdate } from './checked-book-update';
import { checkedCandle } from './checked-candle';
import { checkedFeatureVector } from './checked-feature-vector';

/**
 * zod's result for a payload of the families every backtest candle crosses (md.candle, feat) and of
 * md.book (depth snapshots of up to 1,000 levels a side), checked by hand; undefined for other families
 * and for anything not certainly valid (zod then decides).
 */
export function checkedPayload<T>(family: SubjectFamily<T>, payload: unknown): T | undefined {
  const f = family as SubjectFamily<unknown>;
  if (f === Subjects.candle) return checkedCandle(payload) as T | undefined;
  if (f === Subjects.features) return checkedFeatureVector(payload) as T | undefined;
  if (f === Subjects.book) return checkedBookUpdate(payload) as T | undefined;
  return undefined;
}

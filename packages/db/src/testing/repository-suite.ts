import { type Candle, type Envelope, Subjects, subject, uuidv7 } from '@ballast/contracts';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../database';
import { DbError } from '../db-error';
import { migrate } from '../migrate';
import { BotStateRepository, type Parser } from '../repositories/bot-state-repository';
import { BotStateValue } from '../repositories/bot-state-value';
import { CandleRepository } from '../repositories/candle-repository';
import { EventJournal } from '../repositories/event-journal';
import { OrderSliceRepository } from '../repositories/order-slice-repository';
import { SignalDecisionRepository } from '../repositories/signal-decision-repository';
import { lockStrategyHourStats } from '../repositories/strategy-hour-stats-repository';
import { readBinanceCandles } from './binance-candles';
import { FixedClock } from './fixed-clock';
import { expectInvalidState } from './invalid-state';
import { btcSlice } from './new-slice';

export interface OpenedDatabase {
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

const BTC_FILE = 'binance-spot-ohlcv/BTCUSDT-4h.csv';
const XRP_FILE = 'binance-spot-ohlcv/XRPUSDT-4h.csv';
/** PGlite compiles and boots a whole Postgres in WebAssembly: seconds when idle, a minute on a busy CI box. */
export const OPEN_TIMEOUT_MS = 180_000;

const BTC_4H = { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' } as const;

/** Decimal text with float noise from the upstream pipeline, e.g. 11308597.8300000001. */
function isNoisy(text: string): boolean {
  return (text.split('.')[1] ?? '').length >= 10;
}

/** The same behaviour, asserted identically, on every driver: `open` yields a fresh, empty database. */
export function repositorySuite(driver: string, open: () => Promise<OpenedDatabase>): void {
  describe(`repositories on ${driver}`, () => {
    let opened: OpenedDatabase;
    let db: Kysely<Database>;
    const clock = new FixedClock(Date.UTC(2026, 0, 2, 3, 4, 5, 678));

    beforeAll(async () => {
      opened = await open();
      db = opened.db;
      await migrate(db);
    }, OPEN_TIMEOUT_MS);

    afterAll(async () => {
      await opened?.close();
    });

    describe('CandleRepository', () => {
      const btc = readBinanceCandles(BTC_FILE, '4h', 300).map((r) => r.candle);
      const first = btc[0] as Candle;
      const last = btc.at(-1) as Candle;
      const all = { ...BTC_4H, fromOpenTime: first.openTime, toOpenTime: last.openTime + 1 };

      it(`stores 300 recorded candles from ${BTC_FILE} and reads back exactly the same values`, async () => {
        const repo = new CandleRepository(db);
        expect(await repo.upsertMany(btc)).toBe(300);
        expect(await repo.range(all)).toEqual(btc);
      });

      it('upserting the same candles twice leaves one row per key', async () => {
        const repo = new CandleRepository(db);
        await repo.upsertMany(btc);
        await repo.upsertMany(btc);
        expect(await repo.count(BTC_4H)).toBe(300);
        expect(await repo.range(all)).toEqual(btc);
      });

      it('an upsert of an existing key replaces its values', async () => {
        const repo = new CandleRepository(db);
        const series = { exchange: 'replaced', symbol: 'BTC-USDT', timeframe: '4h' } as const;
        const original = btc.slice(0, 3).map((c) => ({ ...c, exchange: series.exchange }));
        await repo.upsertMany(original);
        const target = original[1] as Candle;
        const changed = { ...target, high: target.high + 100, close: target.high + 50, volume: 0.00000001 };
        await repo.upsertMany([changed]);
        const read = await repo.range({ ...series, fromOpenTime: 0, toOpenTime: Number.MAX_SAFE_INTEGER });
        expect(read).toEqual([original[0], changed, original[2]]);
      });

      it('keeps the last of two candles with the same key in one batch', async () => {
        const repo = new CandleRepository(db);
        const base = { ...first, exchange: 'dupes' };
        const later = { ...base, close: base.low };
        expect(await repo.upsertMany([base, later])).toBe(1);
        const read = await repo.range({
          ...BTC_4H,
          exchange: 'dupes',
          fromOpenTime: 0,
          toOpenTime: base.closeTime,
        });
        expect(read).toEqual([later]);
      });

      it(`round-trips noisy volume text from ${XRP_FILE} as the same number as Number(text)`, async () => {
        const repo = new CandleRepository(db);
        const xrp = readBinanceCandles(XRP_FILE, '4h', 200);
        const noisy = xrp.filter((r) => isNoisy(r.volumeText));
        expect(noisy.map((r) => r.volumeText)).toContain('11308597.8300000001');
        await repo.upsertMany(xrp.map((r) => r.candle));
        const read = await repo.range({
          exchange: 'binance',
          symbol: 'XRP-USDT',
          timeframe: '4h',
          fromOpenTime: 0,
          toOpenTime: Number.MAX_SAFE_INTEGER,
        });
        const volumeByTime = new Map(read.map((c) => [c.openTime, c.volume]));
        for (const r of noisy) expect(volumeByTime.get(r.candle.openTime)).toBe(Number(r.volumeText));
        expect(read).toEqual(xrp.map((r) => r.candle));
      });

      it('range includes fromOpenTime and excludes toOpenTime', async () => {
        const repo = new CandleRepository(db);
        const from = btc[10] as Candle;
        const to = btc[13] as Candle;
        const read = await repo.range({ ...BTC_4H, fromOpenTime: from.openTime, toOpenTime: to.openTime });
        expect(read).toEqual(btc.slice(10, 13));
      });

      it('lastOpenTime is the newest open time of a series, and undefined for an empty one', async () => {
        const repo = new CandleRepository(db);
        expect(await repo.lastOpenTime(BTC_4H)).toBe(last.openTime);
        expect(await repo.lastOpenTime({ ...BTC_4H, timeframe: '1m' })).toBeUndefined();
      });

      it('lastOpenTime(closedBy) passes over candles closing later, which countClosingAfter counts', async () => {
        const repo = new CandleRepository(db);
        const bound = (btc[13] as Candle).closeTime;
        expect(await repo.lastOpenTime(BTC_4H, bound)).toBe((btc[13] as Candle).openTime);
        expect(await repo.countClosingAfter(BTC_4H, bound)).toBe(
          (await repo.count(BTC_4H)) -
            (await repo.countRange({ ...BTC_4H, fromOpenTime: 0, toOpenTime: bound })),
        );
        expect(await repo.countClosingAfter(BTC_4H, last.closeTime)).toBe(0);
      });

      it('counts one series or the whole table', async () => {
        const repo = new CandleRepository(db);
        expect(await repo.count({ ...BTC_4H, timeframe: '1d' })).toBe(0);
        expect(await repo.count({ exchange: 'binance', symbol: 'XRP-USDT', timeframe: '4h' })).toBe(200);
        // 300 BTC + 3 "replaced" + 1 "dupes" + 200 XRP, written by the tests above.
        expect(await repo.count()).toBe(504);
      });

      it('refuses a non-finite price with reason invalid_value and writes nothing', async () => {
        const repo = new CandleRepository(db);
        const bad = { ...first, exchange: 'bad', close: Number.NaN };
        await expect(repo.upsertMany([bad])).rejects.toMatchObject({ reason: 'invalid_value' });
        expect(await repo.count({ ...BTC_4H, exchange: 'bad' })).toBe(0);
      });
    });

    describe('BotStateRepository', () => {
      interface KillSwitch {
        engaged: boolean;
        reason: string;
      }
      const killSwitch: Parser<KillSwitch> = {
        parse(input) {
          const v = input as Partial<KillSwitch> | null;
          if (typeof v?.engaged !== 'boolean' || typeof v.reason !== 'string')
            throw new Error('not a kill switch');
          return { engaged: v.engaged, reason: v.reason };
        },
      };

      it('returns what was set, with updatedAt from the clock, and replaces it on the next set', async () => {
        const repo = new BotStateRepository(db, clock);
        const t0 = clock.now();
        await repo.set('kill_switch', { engaged: true, reason: 'daily loss limit' });
        expect(await repo.get('kill_switch', killSwitch)).toEqual({
          value: { engaged: true, reason: 'daily loss limit' },
          updatedAt: t0,
        });
        clock.set(t0 + 60_000);
        await repo.set('kill_switch', { engaged: false, reason: 'operator resumed' });
        expect(await repo.get('kill_switch', killSwitch)).toEqual({
          value: { engaged: false, reason: 'operator resumed' },
          updatedAt: t0 + 60_000,
        });
      });

      it('stores a JSON array as an array', async () => {
        const repo = new BotStateRepository(db, clock);
        const list: Parser<unknown[]> = {
          parse(input) {
            if (!Array.isArray(input)) throw new Error('not an array');
            return input;
          },
        };
        await repo.set('cursors', [1, 'two', { three: 3 }]);
        expect((await repo.get('cursors', list))?.value).toEqual([1, 'two', { three: 3 }]);
      });

      it('lists the keys under a prefix, taking its _ and % literally', async () => {
        const repo = new BotStateRepository(db, clock);
        for (const key of ['ls:a_1:x', 'ls:a_1:y', 'ls:ab1:z', 'ls:a%:w']) await repo.set(key, {});
        expect(await repo.keys('ls:a_1:')).toEqual(['ls:a_1:x', 'ls:a_1:y']);
        expect(await repo.keys('ls:a%')).toEqual(['ls:a%:w']);
        expect(await repo.keys('ls:none')).toEqual([]);
      });

      it('returns undefined for a key never set', async () => {
        const repo = new BotStateRepository(db, clock);
        expect(await repo.get('never_set', killSwitch)).toBeUndefined();
      });

      it('fails with reason invalid_state when the stored value does not match the schema', async () => {
        const repo = new BotStateRepository(db, clock);
        await repo.set('not_a_switch', { engaged: 'yes' });
        const err = await repo.get('not_a_switch', killSwitch).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DbError);
        expect(err).toMatchObject({ reason: 'invalid_state' });
      });
    });

    describe('BotStateValue', () => {
      const counter: Parser<{ n: number }> = {
        parse(input) {
          const n = (input as { n?: unknown } | null)?.n;
          if (typeof n !== 'number') throw new Error('not a counter');
          return { n };
        },
      };
      const NONE = { n: 0 };

      it('loads the fallback until a value is saved, then the value saved last', async () => {
        const value = new BotStateValue(new BotStateRepository(db, clock), 'value_counter', counter, NONE);
        expect(await value.load()).toBe(NONE);
        await value.save({ n: 1 });
        await value.save({ n: 2 });
        expect(await value.load()).toEqual({ n: 2 });
      });

      it('loads a row the repository wrote at its key, and saves as the repository sets', async () => {
        const repo = new BotStateRepository(db, clock);
        await repo.set('value_shared', { n: 7 });
        const value = new BotStateValue(repo, 'value_shared', counter, NONE);
        expect(await value.load()).toEqual({ n: 7 });
        await value.save({ n: 8 });
        expect(await repo.get('value_shared', counter)).toEqual({ value: { n: 8 }, updatedAt: clock.now() });
      });

      it('fails a row that does not parse with invalid_state naming the key, never the fallback', async () => {
        const repo = new BotStateRepository(db, clock);
        await repo.set('value_broken', { n: 'seven' });
        await expectInvalidState(
          new BotStateValue(repo, 'value_broken', counter, NONE).load(),
          'value_broken',
        );
      });
    });

    describe('transactions', () => {
      it('a query outside a transaction never sees its uncommitted writes', async () => {
        const outside = new BotStateRepository(db, clock);
        const anything: Parser<unknown> = { parse: (x) => x };
        let readOutside: Promise<unknown> | undefined;
        const rolledBack = await db
          .transaction()
          .execute(async (trx) => {
            await new BotStateRepository(trx, clock).set('tx_probe', { written: 'inside' });
            const read = outside.get('tx_probe', anything);
            readOutside = read;
            // Give the outside read every chance to run (and wrongly see the row) before rolling back.
            let settled = false;
            void read.then(() => {
              settled = true;
            });
            for (let i = 0; i < 20 && !settled; i++)
              await trx.selectFrom('bot_state').select('key').execute();
            throw new Error('roll back');
          })
          .catch((err: unknown) => err);
        expect(rolledBack).toEqual(new Error('roll back'));
        expect(await readOutside).toBeUndefined();
      });
    });

    describe('lockStrategyHourStats', () => {
      const heldLocks = async (on: Kysely<Database>) => {
        const { rows } = await sql<{ held: number }>`
          SELECT count(*)::int AS held FROM pg_locks
          WHERE locktype = 'advisory' AND granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(on);
        return rows[0]?.held;
      };

      it('holds one strategy’s recompute lock, re-entrantly, until its transaction ends', async () => {
        const inside = await db.transaction().execute(async (trx) => {
          await lockStrategyHourStats(trx, 'trend_pullback');
          await lockStrategyHourStats(trx, 'trend_pullback');
          return heldLocks(trx);
        });
        expect(inside).toBe(1);
        expect(await heldLocks(db)).toBe(0);
      });
    });

    describe('OrderSliceRepository', () => {
      it("reads an intent's slices of its own venue only, when it has one", async () => {
        const all = new OrderSliceRepository(db, clock);
        await all.plan([
          btcSlice('shared-binance-0', { intentId: 'shared-intent', slice: 0 }),
          btcSlice('shared-bybit-1', { intentId: 'shared-intent', slice: 1, exchange: 'bybit' }),
        ]);
        const ids = (slices: { clientOrderId: string }[]) => slices.map((s) => s.clientOrderId);
        expect(ids(await new OrderSliceRepository(db, clock, 'bybit').ofIntent('shared-intent'))).toEqual([
          'shared-bybit-1',
        ]);
        expect(ids(await all.ofIntent('shared-intent'))).toEqual(['shared-binance-0', 'shared-bybit-1']);
      });

      it("reads one venue's slices, or one market's of it, in the order recorded", async () => {
        const recorded = new FixedClock(clock.now());
        const slices = new OrderSliceRepository(db, recorded);
        await slices.plan([btcSlice('venue-btc-1', { intentId: 'venue-1', slice: 1 })]);
        recorded.set(recorded.now() + 1_000);
        await slices.plan([
          btcSlice('venue-eth-0', { intentId: 'venue-2', symbol: 'ETH-USDT' }),
          btcSlice('venue-bybit-0', { intentId: 'venue-3', exchange: 'bybit' }),
        ]);
        const ids = (all: { clientOrderId: string }[]) =>
          all.map((s) => s.clientOrderId).filter((id) => id.startsWith('venue-'));
        expect(ids(await slices.ofVenue('binance'))).toEqual(['venue-btc-1', 'venue-eth-0']);
        expect(ids(await slices.ofVenue('binance', 'ETH-USDT'))).toEqual(['venue-eth-0']);
        expect(ids(await slices.ofVenue('bybit'))).toEqual(['venue-bybit-0']);
      });

      it('records an order found on the venue as it stands there, once, leaving one recorded already alone', async () => {
        const slices = new OrderSliceRepository(db, clock);
        const found = {
          status: 'open',
          venueOrderId: 'v-found-1',
          detail: 'recorded by reconciliation',
        } as const;
        expect(await slices.recordFound(btcSlice('found-1'), found)).toMatchObject({
          clientOrderId: 'found-1',
          status: 'open',
          venueOrderId: 'v-found-1',
          detail: 'recorded by reconciliation',
        });
        await slices.update('found-1', { status: 'filled', filledQty: 0.001 });
        expect(await slices.recordFound(btcSlice('found-1'), found)).toBeUndefined();
        expect(await slices.get('found-1')).toMatchObject({ status: 'filled', filledQty: 0.001 });
      });
    });

    describe('SignalDecisionRepository', () => {
      it('keeps the first decision for a candidate and hands it back to a second store', async () => {
        const repo = new SignalDecisionRepository(db);
        const rejected = { candidate: { id: 'cand-1' }, approved: false, sizeMultiplier: 0 };
        expect(await repo.first('cand-1')).toBeUndefined();
        const at = clock.now();
        expect(await repo.keepFirst('cand-1', rejected, at)).toBeUndefined();
        const approved = { ...rejected, approved: true, sizeMultiplier: 1 };
        expect(await repo.keepFirst('cand-1', approved, at + 1)).toEqual({
          decision: rejected,
          decidedAt: at,
        });
        expect(await repo.first('cand-1')).toEqual({ decision: rejected, decidedAt: at });
        expect(await repo.keepFirst('cand-2', approved, at + 2)).toBeUndefined();
        expect(await repo.first('cand-2')).toEqual({ decision: approved, decidedAt: at + 2 });
      });

      it('refuses to keep a decision inside a read-only transaction', async () => {
        const write = db
          .transaction()
          .setAccessMode('read only')
          .execute((trx) =>
            new SignalDecisionRepository(trx).keepFirst('cand-ro', { approved: true }, clock.now()),
          );
        await expect(write).rejects.toThrow(/read-only transaction/);
        expect(await new SignalDecisionRepository(db).first('cand-ro')).toBeUndefined();
      });

      it('lists the decisions made since a time, oldest first, with their candidates', async () => {
        const repo = new SignalDecisionRepository(db);
        const at = clock.now() + 1_000;
        const decision = (id: string) => ({ candidate: { id }, approved: true, sizeMultiplier: 1 });
        await repo.keepFirst('cand-late', decision('cand-late'), at + 5);
        await repo.keepFirst('cand-early', decision('cand-early'), at - 1);
        await repo.keepFirst('cand-on', decision('cand-on'), at);
        expect(await repo.since(at)).toEqual([
          { candidateId: 'cand-on', decision: decision('cand-on'), decidedAt: at },
          { candidateId: 'cand-late', decision: decision('cand-late'), decidedAt: at + 5 },
        ]);
      });
    });

    describe('EventJournal', () => {
      const candles = readBinanceCandles(BTC_FILE, '4h', 5).map((r) => r.candle);
      const candleSubject = subject(Subjects.candle, BTC_4H).value;

      function envelopeOf(c: Candle, index: number, correlationId: string): Envelope<Candle> {
        return {
          id: uuidv7(c.closeTime, new Uint8Array(10).fill(index + 1)),
          type: Subjects.candle.type,
          version: Subjects.candle.version,
          eventTime: c.closeTime,
          emittedAt: c.closeTime + 7,
          source: 'market-data',
          correlationId,
          causationId: null,
          payload: c,
        };
      }
      const envelopes = candles.map((c, i) => envelopeOf(c, i, `corr-${i % 2}`));

      it('appending the same envelope twice records one entry', async () => {
        const journal = new EventJournal(db, clock);
        const envelope = envelopeOf(candles[0] as Candle, 100, 'corr-once');
        expect(await journal.append(candleSubject, envelope)).toBe(true);
        expect(await journal.append(candleSubject, envelope)).toBe(false);
        expect(await journal.byCorrelationId('corr-once')).toEqual([
          { ...envelope, subject: candleSubject, recordedAt: clock.now() },
        ]);
      });

      it('returns one correlation id’s entries in event-time order', async () => {
        const journal = new EventJournal(db, clock);
        for (const e of [...envelopes].reverse()) await journal.append(candleSubject, e);
        const read = await journal.byCorrelationId('corr-0');
        expect(read.map((e) => e.id)).toEqual([envelopes[0], envelopes[2], envelopes[4]].map((e) => e?.id));
        expect(read[1]?.payload).toEqual(candles[2]);
      });

      it('replays a time range by subject in event-time order across pages', async () => {
        const journal = new EventJournal(db, clock);
        const other = envelopeOf(candles[2] as Candle, 50, 'corr-other');
        await journal.append(subject(Subjects.candle, { ...BTC_4H, symbol: 'ETH-USDT' }).value, other);
        const from = (envelopes[1] as Envelope<Candle>).eventTime;
        const to = (envelopes[4] as Envelope<Candle>).eventTime;
        const read: string[] = [];
        for await (const e of journal.replay(
          { fromEventTime: from, toEventTime: to, subjects: [candleSubject] },
          2,
        )) {
          read.push(e.id);
        }
        expect(read).toEqual(envelopes.slice(1, 4).map((e) => e.id));
        const everything: string[] = [];
        for await (const e of journal.replay({ fromEventTime: from, toEventTime: to }, 2))
          everything.push(e.id);
        expect(everything).toHaveLength(4);
        expect(everything).toContain(other.id);
      });
    });
  });
}

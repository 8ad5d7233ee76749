import type { BotStateRepository, Parser } from './bot-state-repository';

/**
 * One typed value kept in one bot_state row (the kill switch, an equity baseline…): `fallback` until
 * it is first saved, each save replacing the row. A row that no longer parses fails the load with a
 * DbError `invalid_state` naming the key, never reads as the fallback: a kill switch that cannot be
 * read must not come back released. The fallback is returned as is, shared by every load: keep it
 * immutable.
 */
export class BotStateValue<T, F = T> {
  constructor(
    private readonly state: BotStateRepository,
    readonly key: string,
    private readonly parser: Parser<T>,
    private readonly fallback: F,
  ) {}

  async load(): Promise<T | F> {
    const stored = await this.state.get(this.key, this.parser);
    return stored === undefined ? this.fallback : stored.value;
  }

  save(value: Readonly<T>): Promise<void> {
    return this.state.set(this.key, value);
  }
}

import type { Clock } from '@ballast/contracts';

/** A clock the test moves by hand. */
export class FixedClock implements Clock {
  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  set(time: number): void {
    this.time = time;
  }
}

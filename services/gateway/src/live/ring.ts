/** A bounded list keeping the newest `capacity` items: what the dashboard shows, without growing forever. */
export class Ring<T> {
  private items: T[] = [];

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity * 2) this.items = this.items.slice(-this.capacity);
  }

  /** Oldest first. */
  values(): T[] {
    return this.items.slice(-this.capacity);
  }
}

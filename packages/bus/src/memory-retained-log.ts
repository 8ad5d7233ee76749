/** One stream's retained messages for MemoryHub, oldest first, at most `limit` of them. */
export class MemoryRetainedLog<T> {
  private items: T[] = [];
  /** Index of the oldest kept item: dropping one is O(1), the array is compacted now and then. */
  private start = 0;

  constructor(private readonly limit: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length - this.start <= this.limit) return;
    this.start++;
    // Array.shift() on a full log would move every kept message on each publish.
    if (this.start >= 1_024 && this.start * 2 >= this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.start; i < this.items.length; i++) yield this.items[i]!;
  }
}

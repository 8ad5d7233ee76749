/**
 * Whether a vendor is refusing our key, shared by every agent asking that vendor (as its breaker is), so
 * a refused key is told once per vendor: again only after the vendor has accepted the key in between.
 */
export class AuthRefusal {
  #refusing = false;

  /** A call the vendor refused for its key; true when this is news (the first since it last accepted). */
  refused(): boolean {
    const news = !this.#refusing;
    this.#refusing = true;
    return news;
  }

  /** A call the vendor answered (whether or not we could use the reply): the key was accepted. */
  accepted(): void {
    this.#refusing = false;
  }
}

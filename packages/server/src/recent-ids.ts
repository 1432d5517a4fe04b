/**
 * A bounded set of ids, oldest forgotten first. The order is kept in a ring beside the Set: taking
 * the oldest from the Set itself (`values().next()`) walks past every slot deleted since its last
 * rehash, which made each add cost microseconds once the set was full.
 */
export class RecentIds {
  readonly #ids = new Set<string>();
  readonly #ring: Array<string | undefined>;
  #next = 0;

  constructor(readonly max: number) {
    this.#ring = new Array(max);
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  add(id: string): void {
    if (this.#ids.has(id)) return;
    const oldest = this.#ring[this.#next];
    if (oldest !== undefined) this.#ids.delete(oldest);
    this.#ring[this.#next] = id;
    this.#next = (this.#next + 1) % this.max;
    this.#ids.add(id);
  }
}

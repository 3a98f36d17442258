/**
 * A Map that holds at most `max` entries: one more forgets the oldest, the first inserted (delete and
 * set again to make an entry the newest). The isolate's caches are built on it, so no flood of new
 * keys can grow an isolate's memory without bound.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    // One set adds at most one entry, so at most the one oldest goes.
    if (this.size > this.max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return this;
  }
}

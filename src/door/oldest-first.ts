// A Map that also knows its oldest entry in O(1), whatever was deleted before.
//
// Why not a plain Map's insertion order: V8 leaves a hole for every deleted
// entry until the table is rehashed, and `map.keys().next()` walks over the
// holes. A table kept full by a flood (delete the oldest, add a new one) fills
// its front with holes, so "find the oldest" grew with the table: at 65,536
// attempts the daemon spent ~40 µs per packet there. A doubly linked list in
// insertion order gives oldest, append and delete in constant time.

interface Node<K, V> {
  readonly key: K;
  value: V;
  prev: Node<K, V> | undefined;
  next: Node<K, V> | undefined;
}

export class OldestFirstMap<K, V> {
  private readonly index = new Map<K, Node<K, V>>();
  private head: Node<K, V> | undefined;
  private tail: Node<K, V> | undefined;

  get size(): number {
    return this.index.size;
  }

  get(key: K): V | undefined {
    return this.index.get(key)?.value;
  }

  has(key: K): boolean {
    return this.index.has(key);
  }

  /** Adds `key` as the newest entry; an existing entry keeps its place and takes the new value. */
  set(key: K, value: V): void {
    const node = this.index.get(key);
    if (node !== undefined) {
      node.value = value;
      return;
    }
    const added: Node<K, V> = { key, value, prev: this.tail, next: undefined };
    if (this.tail !== undefined) this.tail.next = added;
    else this.head = added;
    this.tail = added;
    this.index.set(key, added);
  }

  delete(key: K): boolean {
    const node = this.index.get(key);
    if (node === undefined) return false;
    this.index.delete(key);
    if (node.prev !== undefined) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next !== undefined) node.next.prev = node.prev;
    else this.tail = node.prev;
    return true;
  }

  /** The oldest entry, or undefined when empty. */
  oldest(): { readonly key: K; readonly value: V } | undefined {
    return this.head;
  }

  /** Removes and returns the oldest entry. */
  shift(): { readonly key: K; readonly value: V } | undefined {
    const first = this.head;
    if (first !== undefined) this.delete(first.key);
    return first;
  }

  /** Values, oldest first. Deleting the entry just visited is safe. */
  *values(): IterableIterator<V> {
    for (let n = this.head; n !== undefined; n = n.next) yield n.value;
  }

  clear(): void {
    this.index.clear();
    this.head = this.tail = undefined;
  }
}

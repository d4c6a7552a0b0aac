/**
 * Bounded top-k selection for vector matching: one fixed-size binary max-heap per query, all held in flat typed
 * arrays so that offering a candidate allocates nothing. Smaller keys are better; ties go to the smaller id.
 */

/** `lists` bounded heaps of at most `cap` (key, id) pairs each; keeps the `cap` smallest keys per list. */
export class TopK {
  /** Capacity of every list. */
  readonly cap: number;
  /** Keys, `cap` slots per list (list `l` starts at `l * cap`); sorted ascending after `finish(l)`. */
  readonly keys: Float64Array;
  /** Ids (e.g. row numbers) parallel to `keys`. */
  readonly ids: Int32Array;
  /**
   * The key a candidate must beat to enter list `l`: `+Infinity` until the list is full, then its worst key.
   * Scanners test `key < worst[l]` inline and call `insert` only then (NaN keys never enter).
   */
  readonly worst: Float64Array;
  readonly sizes: Int32Array;

  /**
   * @example
   * const top = new TopK(1, 2); for (const [k, id] of [[3, 0], [1, 1], [2, 2]]) if (k < top.worst[0]) top.insert(0, k, id);
   */
  constructor(lists: number, cap: number) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`TopK capacity must be a positive integer, got ${cap}`);
    this.cap = cap;
    this.keys = new Float64Array(lists * cap);
    this.ids = new Int32Array(lists * cap);
    this.worst = new Float64Array(lists).fill(Number.POSITIVE_INFINITY);
    this.sizes = new Int32Array(lists);
  }

  /**
   * Add (key, id) to list `l`, evicting the worst entry when full. Callers check `key < worst[l]` first and
   * offer ids of one list in ascending order, so an equal key never displaces an earlier id.
   */
  insert(l: number, key: number, id: number): void {
    const cap = this.cap;
    const base = l * cap;
    const keys = this.keys;
    const ids = this.ids;
    const size = this.sizes[l] as number;
    if (size < cap) {
      // sift up from the new leaf
      let i = size;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const pk = keys[base + parent] as number;
        if (pk > key || (pk === key && (ids[base + parent] as number) > id)) break;
        keys[base + i] = pk;
        ids[base + i] = ids[base + parent] as number;
        i = parent;
      }
      keys[base + i] = key;
      ids[base + i] = id;
      this.sizes[l] = size + 1;
      if (size + 1 === cap) this.worst[l] = keys[base] as number;
      return;
    }
    siftDown(keys, ids, base, cap, 0, key, id);
    this.worst[l] = keys[base] as number;
  }

  /** Sort list `l` ascending by (key, id) in place (heapsort) and return its length; the list is then done. */
  finish(l: number): number {
    const base = l * this.cap;
    const keys = this.keys;
    const ids = this.ids;
    const size = this.sizes[l] as number;
    for (let end = size - 1; end > 0; end--) {
      const key = keys[base + end] as number;
      const id = ids[base + end] as number;
      keys[base + end] = keys[base] as number;
      ids[base + end] = ids[base] as number;
      siftDown(keys, ids, base, end, 0, key, id);
    }
    this.worst[l] = Number.NaN; // nothing can enter a finished list
    return size;
  }
}

/** Place (key, id) at slot `i` of the max-heap `[base, base + size)` and restore the heap order below it. */
function siftDown(
  keys: Float64Array,
  ids: Int32Array,
  base: number,
  size: number,
  i: number,
  key: number,
  id: number,
): void {
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    let ck = keys[base + child] as number;
    let cid = ids[base + child] as number;
    const right = child + 1;
    if (right < size) {
      const rk = keys[base + right] as number;
      const rid = ids[base + right] as number;
      if (rk > ck || (rk === ck && rid > cid)) {
        child = right;
        ck = rk;
        cid = rid;
      }
    }
    if (key > ck || (key === ck && id > cid)) break;
    keys[base + i] = ck;
    ids[base + i] = cid;
    i = child;
  }
  keys[base + i] = key;
  ids[base + i] = id;
}

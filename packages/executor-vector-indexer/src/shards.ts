/**
 * Sharding helpers. `shardOf` places an id on a shard (the `partition: 'id-hash'` rule, usable by anyone routing
 * documents). Merging the shards' `/search` answers into the global top-`limit` is the head's job (weft's polling
 * ALL reduce ranks the merged matches by `scores[metric]` and keeps `parameters.limit`), not this package's.
 */

/**
 * The shard (0 … shards-1) that owns `id`: FNV-1a (32-bit) of its UTF-8 bytes, modulo `shards`.
 * @example shardOf('sku-123', 4) // always the same shard for 'sku-123'
 */
export function shardOf(id: string, shards: number): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(id, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

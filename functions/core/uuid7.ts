/**
 * UUID version 7 (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, then random bits. Ids made
 * this way sort by creation time, so a B-tree keyed by them grows at its right edge like a
 * timestamp's: new entries land on the same few pages, pages fill up (a rightmost split leaves the
 * old page full, a random one leaves two half-empty pages), and fewer pages are first touched
 * after a checkpoint (a full-page image each in the WAL). The analyses, their ledger rows and
 * their outbox rows are all keyed by the analysis id (docs/performance.md "The write of an
 * analysis"). Pure: the caller gives the time and 10 random bytes.
 */
export function uuidv7(unixMs: number, random: Uint8Array): string {
  if (!Number.isSafeInteger(unixMs) || unixMs < 0 || unixMs >= 2 ** 48)
    throw new RangeError('uuidv7: the time must be whole milliseconds within 48 bits');
  if (random.length < 10) throw new RangeError('uuidv7: 10 random bytes are needed');
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const time = hex(unixMs, 12);
  const r = Array.from(random.subarray(0, 10), (b) => hex(b, 2)).join('');
  // Version 7 in the high nibble of byte 6; variant 0b10 in the high bits of byte 8.
  const version = `7${r.slice(1, 4)}`;
  const variant = hex(0x80 | ((random[2] as number) & 0x3f), 2) + r.slice(6, 8);
  return `${time.slice(0, 8)}-${time.slice(8)}-${version}-${variant}-${r.slice(8, 20)}`;
}

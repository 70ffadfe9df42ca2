/**
 * The two backends decode some types differently (int8: String in pg, Number in PGlite; bytea: Buffer
 * in pg, Uint8Array in PGlite). Both are told to produce the same values, so code that passes on one
 * passes on the other.
 */
export const int8Oid = 20;
export const byteaOid = 17;

/** int8 values we store (epoch millis, counts) stay far below 2^53. */
export function parseInt8(text: string): number {
  return Number(text);
}

/** PostgreSQL's text form of bytea is `\x` followed by hex. */
export function parseByteaText(text: string): Buffer {
  return Buffer.from(text.slice(2), 'hex');
}

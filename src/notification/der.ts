// A small reader of the DER encoding (X.690), for the one thing Node 20's
// X509Certificate does not tell: the certificate's signature algorithm. It reads
// definite lengths of up to four bytes and low tag numbers, checks every length
// against the bytes it has, and throws a RangeError on anything else.

export interface DerElement {
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the last content byte. */
  end: number;
}

export const DER_SEQUENCE = 0x30;
export const DER_INTEGER = 0x02;
export const DER_OID = 0x06;
/** [0] EXPLICIT, constructed: the version of a TBSCertificate. */
export const DER_CONTEXT_0 = 0xa0;

/** The element at `offset`, which must end at or before `limit`. */
export function readElement(der: Uint8Array, offset: number, limit: number, expectedTag?: number): DerElement {
  if (offset + 2 > limit) throw new RangeError(`DER: no element at offset ${offset}`);
  const tag = der[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new RangeError(`DER: high tag number at offset ${offset}`);
  if (expectedTag !== undefined && tag !== expectedTag) {
    throw new RangeError(`DER: tag 0x${tag.toString(16)} at offset ${offset}, expected 0x${expectedTag.toString(16)}`);
  }
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // 0 is the indefinite length, which DER forbids; more than 4 bytes is no certificate.
    if (count === 0 || count > 4) throw new RangeError(`DER: unsupported length form at offset ${offset}`);
    if (start + count > limit) throw new RangeError(`DER: truncated length at offset ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    start += count;
  }
  if (start + length > limit) throw new RangeError(`DER: element at offset ${offset} runs past its container`);
  return { tag, start, end: start + length };
}

/** The dotted form of an OBJECT IDENTIFIER's content bytes. */
export function decodeOid(der: Uint8Array, element: DerElement): string {
  if (element.tag !== DER_OID || element.end <= element.start) throw new RangeError('DER: not an object identifier');
  const arcs: number[] = [];
  let value = 0;
  let pending = false;
  for (let i = element.start; i < element.end; i++) {
    const byte = der[i] as number;
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new RangeError('DER: object identifier arc too large');
    value = value * 128 + (byte & 0x7f);
    pending = (byte & 0x80) !== 0;
    if (pending) continue;
    if (arcs.length === 0) {
      // The first subidentifier packs the first two arcs: 40 * first + second.
      const first = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(first, value - 40 * first);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  if (pending) throw new RangeError('DER: truncated object identifier');
  return arcs.join('.');
}

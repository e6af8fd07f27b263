import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { NewLogRecord } from "@microtodo/logger";

/**
 * Builds PushRequest bodies in protobuf binary for a fixed set of records
 * whose only change between batches is the time. Each record's other
 * fields are encoded once; a batch is then the times plus copied bytes,
 * written straight into one buffer. The generated client's reflective
 * encoder costs more CPU per record than the logger spends storing it,
 * and here one process plays every client on a machine whose cores the
 * logger shares, so the client must stay cheap or it measures itself.
 * Field numbers are those of logger.proto.
 */
export class PushBodies {
  readonly #tails: Uint8Array[];

  constructor(templates: readonly NewLogRecord[]) {
    this.#tails = templates.map(encodeAllButTime);
  }

  /** The body for the templates with times `firstTimeMs`, `firstTimeMs + 1`, … */
  body(firstTimeMs: number): Buffer {
    // Worst case per record: 2 tags and 3 length varints of up to 5 bytes,
    // a 10-byte Timestamp, and the tail.
    let capacity = 0;
    for (const tail of this.#tails) capacity += tail.length + 30;
    const out = Buffer.allocUnsafe(capacity);
    let pos = 0;
    this.#tails.forEach((tail, k) => {
      const timeMs = firstTimeMs + k;
      const seconds = Math.floor(timeMs / 1000);
      const nanos = (timeMs % 1000) * 1_000_000;
      // Timestamp: seconds = 1, nanos = 2 (left out when zero, as encoders do).
      const timestampLength =
        1 + varintLength(seconds) + (nanos === 0 ? 0 : 1 + varintLength(nanos));
      const recordLength =
        1 + varintLength(timestampLength) + timestampLength + tail.length;
      out[pos++] = 0x0a; // PushRequest.records, length-delimited
      pos = writeVarint(out, pos, recordLength);
      out[pos++] = 0x0a; // LogRecord.time, length-delimited
      pos = writeVarint(out, pos, timestampLength);
      out[pos++] = 0x08; // Timestamp.seconds, varint
      pos = writeVarint(out, pos, seconds);
      if (nanos !== 0) {
        out[pos++] = 0x10; // Timestamp.nanos, varint
        pos = writeVarint(out, pos, nanos);
      }
      out.set(tail, pos);
      pos += tail.length;
    });
    return out.subarray(0, pos);
  }
}

function encodeAllButTime(r: NewLogRecord): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(2, WireType.Varint).int32(r.level);
  writer.tag(3, WireType.LengthDelimited).string(r.serviceType);
  writer.tag(4, WireType.LengthDelimited).string(r.instance);
  writer.tag(5, WireType.LengthDelimited).string(r.message);
  if (r.requestId !== "") writer.tag(6, WireType.LengthDelimited).string(r.requestId);
  if (r.fieldsJson) writer.tag(9, WireType.LengthDelimited).string(r.fieldsJson);
  return writer.finish();
}

function varintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) length++;
  return length;
}

function writeVarint(out: Buffer, pos: number, value: number): number {
  let at = pos;
  let rest = value;
  while (rest >= 0x80) {
    out[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  out[at++] = rest;
  return at;
}

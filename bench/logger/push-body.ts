import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { NewLogRecord } from "@microtodo/logger";

/**
 * Builds PushRequest bodies in protobuf binary for a fixed set of records
 * whose only change between batches is the time. Each record's other
 * fields are encoded once; a batch is then the times plus copied bytes.
 * The generated client's reflective encoder costs more CPU per record than
 * the logger spends storing it, and here one process plays every client,
 * so encoding per batch would measure the client instead of the logger.
 * Field numbers are those of logger.proto.
 */
export class PushBodies {
  readonly #tails: Uint8Array[];

  constructor(templates: readonly NewLogRecord[]) {
    this.#tails = templates.map(encodeAllButTime);
  }

  /** The body for the templates with times `firstTimeMs`, `firstTimeMs + 1`, … */
  body(firstTimeMs: number): Buffer {
    const parts: Buffer[] = [];
    this.#tails.forEach((tail, k) => {
      const timeMs = firstTimeMs + k;
      const nanos = (timeMs % 1000) * 1_000_000;
      const timestamp = Buffer.concat([
        field(1, varint(Math.floor(timeMs / 1000))),
        nanos === 0 ? Buffer.alloc(0) : field(2, varint(nanos)),
      ]);
      const record = Buffer.concat([
        Buffer.from([0x0a]),
        varint(timestamp.length),
        timestamp,
        tail,
      ]);
      parts.push(Buffer.from([0x0a]), varint(record.length), record);
    });
    return Buffer.concat(parts);
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

function field(fieldNo: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([fieldNo << 3]), value]);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

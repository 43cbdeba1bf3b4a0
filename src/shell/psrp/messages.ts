// PSRP messages and fragments [MS-PSRP 2.2.1, 2.2.4] (psrp.md §2). A message is a 40-byte
// header (destination and type little-endian, RPID and PID as raw .NET GUID bytes) and UTF-8
// CLIXML; a fragment is a 21-byte big-endian header and a slice of one message.

export const MessageType = {
  SESSION_CAPABILITY: 0x00010002,
  INIT_RUNSPACEPOOL: 0x00010004,
  PUBLIC_KEY: 0x00010005,
  ENCRYPTED_SESSION_KEY: 0x00010006,
  PUBLIC_KEY_REQUEST: 0x00010007,
  CONNECT_RUNSPACEPOOL: 0x00010008,
  SET_MAX_RUNSPACES: 0x00021002,
  SET_MIN_RUNSPACES: 0x00021003,
  RUNSPACE_AVAILABILITY: 0x00021004,
  RUNSPACEPOOL_STATE: 0x00021005,
  CREATE_PIPELINE: 0x00021006,
  GET_AVAILABLE_RUNSPACES: 0x00021007,
  USER_EVENT: 0x00021008,
  APPLICATION_PRIVATE_DATA: 0x00021009,
  GET_COMMAND_METADATA: 0x0002100a,
  RUNSPACEPOOL_INIT_DATA: 0x0002100b,
  RESET_RUNSPACE_STATE: 0x0002100c,
  RUNSPACEPOOL_HOST_CALL: 0x00021100,
  RUNSPACEPOOL_HOST_RESPONSE: 0x00021101,
  PIPELINE_INPUT: 0x00041002,
  END_OF_PIPELINE_INPUT: 0x00041003,
  PIPELINE_OUTPUT: 0x00041004,
  ERROR_RECORD: 0x00041005,
  PIPELINE_STATE: 0x00041006,
  DEBUG_RECORD: 0x00041007,
  VERBOSE_RECORD: 0x00041008,
  WARNING_RECORD: 0x00041009,
  // Not 0x0004100A: values 0x0004100A–F are unused (psrp.md §2.3).
  PROGRESS_RECORD: 0x00041010,
  INFORMATION_RECORD: 0x00041011,
  PIPELINE_HOST_CALL: 0x00041100,
  PIPELINE_HOST_RESPONSE: 0x00041101,
} as const;

export type MessageTypeName = keyof typeof MessageType;

const NAMES = new Map<number, MessageTypeName>((Object.entries(MessageType) as Array<[MessageTypeName, number]>).map(([k, v]) => [v, k]));

export function messageTypeName(type: number): string {
  return NAMES.get(type) ?? `0x${type.toString(16).padStart(8, '0')}`;
}

export const Destination = { Client: 1, Server: 2 } as const;

export const ZERO_GUID = Buffer.alloc(16);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const MESSAGE_HEADER = 40;
export const FRAGMENT_HEADER = 21;

export class PsrpCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PsrpCodecError';
  }
}

export interface PsrpMessage {
  readonly destination: number;
  readonly type: number;
  /** 16 raw bytes as received; echoed, never validated (psrp.md §1.3 trap). */
  readonly rpid: Buffer;
  readonly pid: Buffer;
  /** UTF-8 CLIXML without the BOM. */
  readonly data: string;
}

export function encodeMessage(m: PsrpMessage, opts: { bom?: boolean } = {}): Buffer {
  const head = Buffer.alloc(MESSAGE_HEADER);
  head.writeUInt32LE(m.destination, 0);
  head.writeUInt32LE(m.type, 4);
  m.rpid.copy(head, 8, 0, 16);
  m.pid.copy(head, 24, 0, 16);
  // Windows puts a BOM before every server→client message (psrp.md §2.2), but none on an empty body.
  const body = Buffer.from(m.data, 'utf8');
  const withBom = (opts.bom ?? m.destination === Destination.Client) && body.length > 0;
  return Buffer.concat(withBom ? [head, BOM, body] : [head, body]);
}

export function decodeMessage(b: Buffer): PsrpMessage {
  if (b.length < MESSAGE_HEADER) throw new PsrpCodecError(`a PSRP message needs ${MESSAGE_HEADER} header bytes, got ${b.length}`);
  let body = b.subarray(MESSAGE_HEADER);
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  return {
    destination: b.readUInt32LE(0),
    type: b.readUInt32LE(4),
    rpid: Buffer.from(b.subarray(8, 24)),
    pid: Buffer.from(b.subarray(24, 40)),
    data: body.toString('utf8'),
  };
}

/** The .NET `Guid.ToByteArray()` form of a GUID string (first three groups little-endian). */
export function guidToBytes(g: string): Buffer {
  const hex = g.replace(/[{}-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new PsrpCodecError(`not a GUID: ${g}`);
  const b = Buffer.from(hex, 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

/** Inverse of guidToBytes, upper case. */
export function bytesToGuid(b: Buffer): string {
  const c = Buffer.from(b);
  c.subarray(0, 4).reverse();
  c.subarray(4, 6).reverse();
  c.subarray(6, 8).reverse();
  const h = c.toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- fragments ------------------------------------------------------------------------------

export interface Fragment {
  readonly objectId: number;
  readonly fragmentId: number;
  readonly start: boolean;
  readonly end: boolean;
  readonly blob: Buffer;
}

export function encodeFragment(f: Fragment): Buffer {
  const head = Buffer.alloc(FRAGMENT_HEADER);
  head.writeBigUInt64BE(BigInt(f.objectId), 0);
  head.writeBigUInt64BE(BigInt(f.fragmentId), 8);
  head.writeUInt8((f.start ? 1 : 0) | (f.end ? 2 : 0), 16);
  head.writeUInt32BE(f.blob.length, 17);
  return Buffer.concat([head, f.blob]);
}

/** Split a blob of concatenated whole fragments. A truncated fragment is an error (§2.1). */
export function parseFragments(buf: Buffer): Fragment[] {
  const out: Fragment[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < FRAGMENT_HEADER) throw new PsrpCodecError(`truncated fragment header at byte ${off}`);
    const objectId = buf.readBigUInt64BE(off);
    const fragmentId = buf.readBigUInt64BE(off + 8);
    const flags = buf.readUInt8(off + 16);
    const len = buf.readUInt32BE(off + 17);
    if (objectId === 0n || objectId > BigInt(Number.MAX_SAFE_INTEGER) || fragmentId > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new PsrpCodecError(`fragment ObjectId ${objectId} / FragmentId ${fragmentId} out of range`);
    }
    if (off + FRAGMENT_HEADER + len > buf.length) throw new PsrpCodecError(`fragment of ObjectId ${objectId} claims ${len} bytes, ${buf.length - off - FRAGMENT_HEADER} present`);
    out.push({
      objectId: Number(objectId),
      fragmentId: Number(fragmentId),
      start: (flags & 1) !== 0,
      end: (flags & 2) !== 0,
      blob: Buffer.from(buf.subarray(off + FRAGMENT_HEADER, off + FRAGMENT_HEADER + len)),
    });
    off += FRAGMENT_HEADER + len;
  }
  return out;
}

/**
 * Reassembles messages from fragments, across Sends (a message may start in `Command` and end in
 * a later `Send`, fixture test_psrp_small_msg_size.yml). Bounded per message.
 */
export class Defragmenter {
  private readonly partial = new Map<number, { next: number; parts: Buffer[]; size: number }>();

  constructor(private readonly maxMessageBytes = 64 * 1024 * 1024) {}

  /** Feed fragments; returns every message completed by them, in order. */
  push(fragments: readonly Fragment[]): Buffer[] {
    const done: Buffer[] = [];
    for (const f of fragments) {
      if (f.start) {
        if (f.fragmentId !== 0) throw new PsrpCodecError(`start fragment of ObjectId ${f.objectId} has FragmentId ${f.fragmentId}`);
        if (f.end) {
          this.partial.delete(f.objectId);
          done.push(f.blob);
          continue;
        }
        this.partial.set(f.objectId, { next: 1, parts: [f.blob], size: f.blob.length });
        continue;
      }
      const p = this.partial.get(f.objectId);
      if (!p) throw new PsrpCodecError(`fragment ${f.fragmentId} of ObjectId ${f.objectId} without its start fragment`);
      if (f.fragmentId !== p.next) throw new PsrpCodecError(`fragment ${f.fragmentId} of ObjectId ${f.objectId} out of sequence (expected ${p.next})`);
      p.size += f.blob.length;
      if (p.size > this.maxMessageBytes) {
        this.partial.delete(f.objectId);
        throw new PsrpCodecError(`message ObjectId ${f.objectId} exceeds ${this.maxMessageBytes} bytes`);
      }
      p.parts.push(f.blob);
      p.next++;
      if (f.end) {
        this.partial.delete(f.objectId);
        done.push(Buffer.concat(p.parts));
      }
    }
    return done;
  }

  /** Messages still waiting for fragments. */
  get pending(): number {
    return this.partial.size;
  }

  reset(): void {
    this.partial.clear();
  }
}

/** PowerShell's server fragment size, header included [pwsh BaseTransportManager DefaultFragmentSize]. */
export const MAX_FRAGMENT = 32 * 1024;

/** Encode one message as a single fragment, or several of at most `maxFragment` bytes each. */
export function fragmentMessage(objectId: number, message: Buffer, maxFragment = MAX_FRAGMENT): Buffer[] {
  const room = Math.max(1, maxFragment - FRAGMENT_HEADER);
  const out: Buffer[] = [];
  let fragmentId = 0;
  for (let off = 0; off < message.length || fragmentId === 0; off += room) {
    const blob = message.subarray(off, Math.min(message.length, off + room));
    out.push(encodeFragment({ objectId, fragmentId, start: off === 0, end: off + room >= message.length, blob }));
    fragmentId++;
  }
  return out;
}

// MIT keytab files (format 0x0502, big-endian; 0x0501 host-order is refused): the service keys
// the emulator needs to read the tickets MIT has accepted (docs/decisions/0003-kerberos-wrap.md).
// Layout: u16 version, then entries: i32 size (negative = a deleted slot of that size), u16
// component count, counted realm, counted components, u32 name type, u32 timestamp, u8 kvno,
// u16 enctype, counted key, and an optional u32 kvno that supersedes the 8-bit one.
import { KerberosCryptoError } from './crypto.js';

export interface KeytabEntry {
  readonly realm: string;
  /** e.g. ['HTTP', 'win-emu01.emu.test'] */
  readonly components: readonly string[];
  readonly nameType: number;
  readonly timestamp: number;
  readonly kvno: number;
  readonly etype: number;
  readonly key: Buffer;
}

/** `HTTP/win-emu01.emu.test@EMU.TEST` */
export function principalName(e: Pick<KeytabEntry, 'components' | 'realm'>): string {
  return `${e.components.join('/')}@${e.realm}`;
}

export function parseKeytab(buf: Buffer): KeytabEntry[] {
  if (buf.length < 2 || buf[0] !== 0x05) throw new KerberosCryptoError('not an MIT keytab (first byte is not 0x05)');
  if (buf[1] !== 0x02) throw new KerberosCryptoError(`keytab format 0x05${buf[1]?.toString(16).padStart(2, '0')} is not supported (only 0x0502)`);
  const entries: KeytabEntry[] = [];
  let pos = 2;
  while (pos + 4 <= buf.length) {
    const size = buf.readInt32BE(pos);
    pos += 4;
    if (size === 0) break;
    if (size < 0) {
      pos += -size;
      continue;
    }
    const end = pos + size;
    if (end > buf.length) throw new KerberosCryptoError(`keytab entry at byte ${pos - 4} runs past the end`);
    let p = pos;
    const u16 = (): number => {
      if (p + 2 > end) throw new KerberosCryptoError('truncated keytab entry');
      const v = buf.readUInt16BE(p);
      p += 2;
      return v;
    };
    const u32 = (): number => {
      if (p + 4 > end) throw new KerberosCryptoError('truncated keytab entry');
      const v = buf.readUInt32BE(p);
      p += 4;
      return v;
    };
    const counted = (): Buffer => {
      const n = u16();
      if (p + n > end) throw new KerberosCryptoError('truncated keytab entry');
      const v = buf.subarray(p, p + n);
      p += n;
      return v;
    };
    const count = u16();
    const realm = counted().toString('utf8');
    const components: string[] = [];
    for (let i = 0; i < count; i++) components.push(counted().toString('utf8'));
    const nameType = u32();
    const timestamp = u32();
    if (p + 1 > end) throw new KerberosCryptoError('truncated keytab entry');
    let kvno = buf[p++]!;
    const etype = u16();
    const key = Buffer.from(counted());
    if (end - p >= 4) {
      const wide = buf.readUInt32BE(p);
      if (wide !== 0) kvno = wide;
    }
    entries.push({ realm, components, nameType, timestamp, kvno, etype, key });
    pos = end;
  }
  return entries;
}

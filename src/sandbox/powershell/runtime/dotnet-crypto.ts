// System.Security.Cryptography hash algorithms (MD5, SHA1, SHA256, SHA384, SHA512) on node:crypto,
// with .NET's incremental TransformBlock / TransformFinalBlock / Hash and ComputeHash, as
// Ansible's winrm put_file checks a copy (`[System.Security.Cryptography.SHA1CryptoServiceProvider]
// ::Create()`, TransformBlock per chunk, TransformFinalBlock, `.Hash`), and System.BitConverter
// (ToString → "AA-BB-…", GetBytes, ToInt32…) [.NET HashAlgorithm, BitConverter; mscorlib.resx].
import { createHash, type Hash } from 'node:crypto';
import { toNumber, toStr } from './convert.js';
import { runtimeError } from './errors.js';
import { methodException, overloadError } from './members.js';
import type { RuntimeServices } from './services.js';
import { PSObject, type PSValue } from './values.js';

type Algo = 'MD5' | 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';
const NODE_NAME: Record<Algo, string> = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
const HASH_SIZE: Record<Algo, number> = { MD5: 128, SHA1: 160, SHA256: 256, SHA384: 384, SHA512: 512 };
const NS = 'System.Security.Cryptography';

/** What `Create()` returns for each algorithm on .NET Framework 4.x. */
const DEFAULT_IMPL: Record<Algo, string> = {
  MD5: 'MD5CryptoServiceProvider',
  SHA1: 'SHA1CryptoServiceProvider',
  SHA256: 'SHA256Managed',
  SHA384: 'SHA384Managed',
  SHA512: 'SHA512Managed',
};

function bytesArg(v: PSValue | undefined): PSValue[] | undefined {
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? v : [v];
}

function toBytes(a: readonly PSValue[], off: number, cnt: number): Uint8Array {
  return Uint8Array.from(a.slice(off, off + cnt), (x) => toNumber(x) & 0xff);
}

function rangeCheck(method: string, n: number, buf: readonly PSValue[] | undefined, off: number, cnt: number, bufName = 'inputBuffer'): readonly PSValue[] {
  if (buf === undefined) throw methodException(method, n, `Value cannot be null.\r\nParameter name: ${bufName}`, 'ArgumentNullException');
  if (off < 0) throw methodException(method, n, 'Non-negative number required.\r\nParameter name: inputOffset', 'ArgumentOutOfRangeException');
  if (cnt < 0 || cnt > buf.length) throw methodException(method, n, 'Value was invalid.\r\nParameter name: inputCount', 'ArgumentException');
  if (buf.length - cnt < off) throw methodException(method, n, 'Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.', 'ArgumentException');
  return buf;
}

/** A HashAlgorithm instance of `impl` (e.g. SHA1CryptoServiceProvider). */
export function hashAlgorithm(algo: Algo, impl = DEFAULT_IMPL[algo]): PSObject {
  const o = new PSObject([`${NS}.${impl}`, `${NS}.${algo}`, `${NS}.HashAlgorithm`, 'System.Object']);
  let h: Hash | undefined;
  let hash: Uint8Array | undefined;
  let disposed = false;
  const state = (): Hash => (h ??= createHash(NODE_NAME[algo]));
  const live = (m: string, n: number) => {
    if (disposed) throw methodException(m, n, 'Safe handle has been closed', 'ObjectDisposedException');
  };
  o.addProperty({ name: 'HashSize', kind: 'Property', value: HASH_SIZE[algo] });
  o.addProperty({ name: 'InputBlockSize', kind: 'Property', value: 1 });
  o.addProperty({ name: 'OutputBlockSize', kind: 'Property', value: 1 });
  o.addProperty({ name: 'CanTransformMultipleBlocks', kind: 'Property', value: true });
  o.addProperty({ name: 'CanReuseTransform', kind: 'Property', value: true });
  o.addProperty({
    name: 'Hash',
    kind: 'Property',
    getter: () => {
      if (disposed) throw getterError('Hash', 'Cannot access a disposed object.\r\nObject name: \'' + `${NS}.${impl}` + "'.", 'ObjectDisposedException');
      if (hash === undefined) throw getterError('Hash', 'Hash must be finalized before the hash value is retrieved.', 'CryptographicUnexpectedOperationException');
      return Array.from(hash);
    },
  });
  o.toStringFn = () => `${NS}.${impl}`;
  o.addMethod('TransformBlock', (args) => {
    if (args.length !== 5) overloadError('TransformBlock', args.length);
    live('TransformBlock', 5);
    const off = toNumber(args[1] ?? null);
    const cnt = toNumber(args[2] ?? null);
    const input = rangeCheck('TransformBlock', 5, bytesArg(args[0]), off, cnt);
    const chunk = toBytes(input, off, cnt);
    state().update(chunk);
    hash = undefined;
    const out = bytesArg(args[3]);
    if (out !== undefined && out !== input) {
      const oo = toNumber(args[4] ?? null);
      if (oo < 0 || out.length - cnt < oo) throw methodException('TransformBlock', 5, 'Value was invalid.\r\nParameter name: outputOffset', 'ArgumentException');
      for (let i = 0; i < cnt; i++) out[oo + i] = chunk[i] ?? 0;
    }
    return cnt;
  });
  o.addMethod('TransformFinalBlock', (args) => {
    if (args.length !== 3) overloadError('TransformFinalBlock', args.length);
    live('TransformFinalBlock', 3);
    const off = toNumber(args[1] ?? null);
    const cnt = toNumber(args[2] ?? null);
    const input = rangeCheck('TransformFinalBlock', 3, bytesArg(args[0]), off, cnt);
    const chunk = toBytes(input, off, cnt);
    const st = state();
    st.update(chunk);
    hash = new Uint8Array(st.digest());
    h = undefined;
    return Array.from(chunk);
  });
  o.addMethod('ComputeHash', (args) => {
    if (args.length !== 1 && args.length !== 3) overloadError('ComputeHash', args.length);
    live('ComputeHash', args.length);
    const input = bytesArg(args[0]);
    if (input === undefined) throw methodException('ComputeHash', args.length, 'Value cannot be null.\r\nParameter name: buffer', 'ArgumentNullException');
    const off = args.length === 3 ? toNumber(args[1] ?? null) : 0;
    const cnt = args.length === 3 ? toNumber(args[2] ?? null) : input.length;
    rangeCheck('ComputeHash', args.length, input, off, cnt, 'buffer');
    const st = state();
    st.update(toBytes(input, off, cnt));
    hash = new Uint8Array(st.digest());
    h = undefined;
    return Array.from(hash);
  });
  o.addMethod('Initialize', () => {
    h = undefined;
    return null;
  });
  const dispose = () => {
    disposed = true;
    h = undefined;
    hash = undefined;
    return null;
  };
  o.addMethod('Dispose', dispose);
  o.addMethod('Clear', dispose);
  return o;
}

/** A property getter's .NET exception as PowerShell reports it (GetValueInvocationException). */
function getterError(prop: string, inner: string, id: string) {
  return runtimeError({
    message: `Exception getting "${prop}": "${inner}"`,
    errorId: id,
    category: 'NotSpecified',
    exceptionType: 'System.Management.Automation.GetValueInvocationException',
  });
}

type StaticFn = (args: PSValue[], svc: RuntimeServices) => PSValue | undefined;
type StaticType = { readonly props?: Record<string, (svc: RuntimeServices) => PSValue>; readonly methods?: Record<string, StaticFn> };

function algoOfName(name: string): Algo | undefined {
  const n = name.toLowerCase().replace(/^system\.security\.cryptography\./, '');
  if (n === 'md5' || n.startsWith('md5')) return 'MD5';
  if (n === 'sha' || n.startsWith('sha1')) return 'SHA1';
  if (n.startsWith('sha256') || n === 'sha-256') return 'SHA256';
  if (n.startsWith('sha384') || n === 'sha-384') return 'SHA384';
  if (n.startsWith('sha512') || n === 'sha-512') return 'SHA512';
  return undefined;
}

function cryptoStatics(): Record<string, StaticType> {
  const out: Record<string, StaticType> = {};
  for (const algo of ['MD5', 'SHA1', 'SHA256', 'SHA384', 'SHA512'] as const) {
    // `[SHA1]::Create()` and `[SHA1CryptoServiceProvider]::Create()` (the inherited static) give the default implementation.
    const create: StaticFn = (a) => {
      if (a.length === 0) return hashAlgorithm(algo);
      const named = algoOfName(toStr(a[0] ?? null));
      return named === undefined ? null : hashAlgorithm(named);
    };
    out[`${NS}.${algo}`] = { methods: { create } };
    for (const impl of [`${algo}CryptoServiceProvider`, `${algo}Managed`]) {
      out[`${NS}.${impl}`] = { methods: { create, new: () => hashAlgorithm(algo, impl) } };
    }
  }
  out[`${NS}.HashAlgorithm`] = {
    methods: {
      create: (a) => {
        const named = algoOfName(a.length === 0 ? 'SHA1' : toStr(a[0] ?? null));
        return named === undefined ? null : hashAlgorithm(named);
      },
    },
  };
  return out;
}

// ---- System.BitConverter ---------------------------------------------------------------------

function bitConverterToString(args: PSValue[]): string {
  if (args.length < 1 || args.length > 3) overloadError('ToString', args.length);
  const b = bytesArg(args[0]);
  if (b === undefined) throw methodException('ToString', args.length, 'Value cannot be null.\r\nParameter name: value', 'ArgumentNullException');
  const start = args.length > 1 ? toNumber(args[1] ?? null) : 0;
  const len = args.length > 2 ? toNumber(args[2] ?? null) : b.length - start;
  if (start < 0 || (start >= b.length && start > 0)) throw methodException('ToString', args.length, 'StartIndex cannot be less than zero.\r\nParameter name: startIndex', 'ArgumentOutOfRangeException');
  if (len < 0) throw methodException('ToString', args.length, 'Value must be positive.\r\nParameter name: length', 'ArgumentOutOfRangeException');
  if (start > b.length - len) throw methodException('ToString', args.length, 'Destination array is not long enough to copy all the items in the collection. Check array index and length.', 'ArgumentException');
  return b
    .slice(start, start + len)
    .map((x) => (toNumber(x) & 0xff).toString(16).toUpperCase().padStart(2, '0'))
    .join('-');
}

function readInt(method: string, args: PSValue[], size: number, signed: boolean): number {
  if (args.length !== 2) overloadError(method, args.length);
  const b = bytesArg(args[0]);
  if (b === undefined) throw methodException(method, 2, 'Value cannot be null.\r\nParameter name: value', 'ArgumentNullException');
  const i = toNumber(args[1] ?? null);
  if (i < 0 || i >= b.length) throw methodException(method, 2, 'Index was out of range. Must be non-negative and less than the size of the collection.\r\nParameter name: startIndex', 'ArgumentOutOfRangeException');
  if (i > b.length - size) throw methodException(method, 2, 'Destination array is not long enough to copy all the items in the collection. Check array index and length.', 'ArgumentException');
  let v = 0;
  for (let k = size - 1; k >= 0; k--) v = v * 256 + (toNumber(b[i + k] ?? 0) & 0xff);
  if (signed && v >= 2 ** (size * 8 - 1)) v -= 2 ** (size * 8);
  return v;
}

function getBytes(args: PSValue[]): PSValue[] {
  if (args.length !== 1) overloadError('GetBytes', args.length);
  const v = args[0] ?? null;
  if (typeof v === 'boolean') return [v ? 1 : 0];
  const n = toNumber(v);
  const size = Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 ? 4 : 8;
  if (!Number.isInteger(n)) {
    const buf = Buffer.alloc(8);
    buf.writeDoubleLE(n);
    return Array.from(buf);
  }
  const buf = Buffer.alloc(size);
  if (size === 4) buf.writeInt32LE(n);
  else buf.writeBigInt64LE(BigInt(n));
  return Array.from(buf);
}

export const CRYPTO_STATICS: Record<string, StaticType> = {
  ...cryptoStatics(),
  'System.BitConverter': {
    props: { islittleendian: () => true },
    methods: {
      tostring: (a) => bitConverterToString(a),
      getbytes: (a) => getBytes(a),
      toint16: (a) => readInt('ToInt16', a, 2, true),
      touint16: (a) => readInt('ToUInt16', a, 2, false),
      toint32: (a) => readInt('ToInt32', a, 4, true),
      touint32: (a) => readInt('ToUInt32', a, 4, false),
      toint64: (a) => readInt('ToInt64', a, 8, true),
      touint64: (a) => readInt('ToUInt64', a, 8, false),
      toboolean: (a) => readInt('ToBoolean', a, 1, false) !== 0,
    },
  },
};

// NTLM key derivation and responses [MS-NLMP 3.3, 3.4.5], over node:crypto MD5/HMAC-MD5 (which
// work without OpenSSL's legacy provider, auth.md §2.10) and the in-house MD4 and RC4. DES for
// the opt-in NTLMv1 path comes from node-forge, pure JavaScript, for the same reason.
import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import type forgeModule from 'node-forge';
import { md4 } from '../crypto/md4.js';
import { NegotiateFlags } from './messages.js';

export function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** NTOWFv2: HMAC_MD5(NTOWFv1, UNICODE(Uppercase(UserName) ‖ UserDom)) — the domain as received. */
export function ntowfv2(ntHash: Uint8Array, user: string, domain: string): Buffer {
  return hmacMd5(ntHash, Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

/** The NTLMv2 client blob ("temp" minus its NTProofStr) [MS-NLMP 3.3.2], including the trailing Z(4). */
export function ntlmv2Blob(timestamp: Buffer, clientChallenge: Buffer, avPairs: Buffer): Buffer {
  return Buffer.concat([Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]), timestamp, clientChallenge, Buffer.alloc(4), avPairs, Buffer.alloc(4)]);
}

export function ntProofStr(responseKeyNT: Uint8Array, serverChallenge: Uint8Array, blob: Uint8Array): Buffer {
  return hmacMd5(responseKeyNT, serverChallenge, blob);
}

/** LMv2: HMAC_MD5(ResponseKeyLM, ServerChallenge ‖ ClientChallenge) ‖ ClientChallenge. */
export function lmv2Response(responseKey: Uint8Array, serverChallenge: Uint8Array, clientChallenge: Uint8Array): Buffer {
  return Buffer.concat([hmacMd5(responseKey, serverChallenge, clientChallenge), clientChallenge]);
}

/** 7 key bytes → an 8-byte DES key (parity bits left 0; DES ignores them). */
function desKey7(k: Uint8Array): Buffer {
  const out = Buffer.alloc(8);
  out[0] = k[0]! & 0xfe;
  out[1] = ((k[0]! << 7) | (k[1]! >> 1)) & 0xfe;
  out[2] = ((k[1]! << 6) | (k[2]! >> 2)) & 0xfe;
  out[3] = ((k[2]! << 5) | (k[3]! >> 3)) & 0xfe;
  out[4] = ((k[3]! << 4) | (k[4]! >> 4)) & 0xfe;
  out[5] = ((k[4]! << 3) | (k[5]! >> 5)) & 0xfe;
  out[6] = ((k[5]! << 2) | (k[6]! >> 6)) & 0xfe;
  out[7] = (k[6]! << 1) & 0xfe;
  return out;
}

// node-forge is loaded on the first NTLMv1 exchange, not at start (docs/decisions/0005-hot-path.md).
let forgeLoaded: typeof forgeModule | undefined;
function loadForge(): typeof forgeModule {
  return (forgeLoaded ??= createRequire(import.meta.url)('node-forge') as typeof forgeModule);
}

function desEcb(key8: Buffer, block: Uint8Array): Buffer {
  const forge = loadForge();
  const cipher = forge.cipher.createCipher('DES-ECB', forge.util.createBuffer(key8.toString('binary')));
  (cipher.mode as unknown as { pad: boolean }).pad = false; // one raw block, no PKCS#7 padding
  cipher.start();
  cipher.update(forge.util.createBuffer(Buffer.from(block).toString('binary')));
  cipher.finish();
  return Buffer.from(cipher.output.getBytes(), 'binary').subarray(0, 8);
}

/** DESL(K, D) [MS-NLMP 6]: three DES encryptions of D with K[0..7], K[7..14], K[14..16] ‖ Z(5). */
export function desl(key16: Uint8Array, data8: Uint8Array): Buffer {
  const k = Buffer.concat([Buffer.from(key16), Buffer.alloc(5)]);
  return Buffer.concat([desEcb(desKey7(k.subarray(0, 7)), data8), desEcb(desKey7(k.subarray(7, 14)), data8), desEcb(desKey7(k.subarray(14, 21)), data8)]);
}

/** NTLMv1 NT response and key exchange key [MS-NLMP 3.3.1, 3.4.5.1] (no LM_KEY variant). */
export function ntlmv1(ntHash: Uint8Array, flags: number, serverChallenge: Uint8Array, lmResponse: Uint8Array): { nt: Buffer; keyExchangeKey: Buffer } {
  const sessionBaseKey = md4(ntHash);
  if (flags & NegotiateFlags.EXTENDED_SESSIONSECURITY) {
    const cc = Buffer.from(lmResponse.subarray(0, 8));
    return { nt: desl(ntHash, md5(serverChallenge, cc).subarray(0, 8)), keyExchangeKey: hmacMd5(sessionBaseKey, serverChallenge, cc) };
  }
  return { nt: desl(ntHash, serverChallenge), keyExchangeKey: sessionBaseKey };
}

const MAGIC = {
  clientSign: 'session key to client-to-server signing key magic constant\0',
  serverSign: 'session key to server-to-client signing key magic constant\0',
  clientSeal: 'session key to client-to-server sealing key magic constant\0',
  serverSeal: 'session key to server-to-client sealing key magic constant\0',
} as const;

export type Direction = 'client' | 'server';

/** SIGNKEY [MS-NLMP 3.4.5.2]: only with ESS; without ESS there is no signing key. */
export function signKey(flags: number, exportedSessionKey: Uint8Array, dir: Direction): Buffer | undefined {
  if (!(flags & NegotiateFlags.EXTENDED_SESSIONSECURITY)) return undefined;
  return md5(exportedSessionKey, Buffer.from(dir === 'client' ? MAGIC.clientSign : MAGIC.serverSign, 'latin1'));
}

/** SEALKEY [MS-NLMP 3.4.5.3]. */
export function sealKey(flags: number, exportedSessionKey: Uint8Array, dir: Direction): Buffer {
  const k = Buffer.from(exportedSessionKey);
  if (flags & NegotiateFlags.EXTENDED_SESSIONSECURITY) {
    const base = flags & NegotiateFlags.N128 ? k : flags & NegotiateFlags.N56 ? k.subarray(0, 7) : k.subarray(0, 5);
    return md5(base, Buffer.from(dir === 'client' ? MAGIC.clientSeal : MAGIC.serverSeal, 'latin1'));
  }
  if (flags & NegotiateFlags.LM_KEY || flags & NegotiateFlags.DATAGRAM) {
    return flags & NegotiateFlags.N56 ? Buffer.concat([k.subarray(0, 7), Buffer.from([0xa0])]) : Buffer.concat([k.subarray(0, 5), Buffer.from([0xe5, 0x38, 0xb0])]);
  }
  return k;
}

/** The 16 bytes of MsvAvChannelBindings: MD5 of a gss_channel_bindings_struct with only application data. */
export function channelBindingsHash(applicationData: Uint8Array): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt32LE(applicationData.length, 16);
  return md5(head, applicationData);
}

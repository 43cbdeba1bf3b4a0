// Output and input text in the shell's console code page (WINRS_CODEPAGE, wsman-protocol.md §3.1):
// 65001 is UTF-8, 437 is the OEM US code page (pywinrm's default), others through TextDecoder
// where Node knows them. Characters a code page cannot hold become '?', as WideCharToMultiByte does.

/** CP437 bytes 0x80–0xFF as Unicode (IBM PC character set). */
const CP437_HIGH = "\u00c7\u00fc\u00e9\u00e2\u00e4\u00e0\u00e5\u00e7\u00ea\u00eb\u00e8\u00ef\u00ee\u00ec\u00c4\u00c5\u00c9\u00e6\u00c6\u00f4\u00f6\u00f2\u00fb\u00f9\u00ff\u00d6\u00dc\u00a2\u00a3\u00a5\u20a7\u0192\u00e1\u00ed\u00f3\u00fa\u00f1\u00d1\u00aa\u00ba\u00bf\u2310\u00ac\u00bd\u00bc\u00a1\u00ab\u00bb\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556\u2555\u2563\u2551\u2557\u255d\u255c\u255b\u2510\u2514\u2534\u252c\u251c\u2500\u253c\u255e\u255f\u255a\u2554\u2569\u2566\u2560\u2550\u256c\u2567\u2568\u2564\u2565\u2559\u2558\u2552\u2553\u256b\u256a\u2518\u250c\u2588\u2584\u258c\u2590\u2580\u03b1\u00df\u0393\u03c0\u03a3\u03c3\u00b5\u03c4\u03a6\u0398\u03a9\u03b4\u221e\u03c6\u03b5\u2229\u2261\u00b1\u2265\u2264\u2320\u2321\u00f7\u2248\u00b0\u2219\u00b7\u221a\u207f\u00b2\u25a0\u00a0";

const WHATWG_LABELS: Readonly<Record<number, string>> = {
  866: 'ibm866',
  874: 'windows-874',
  1250: 'windows-1250',
  1251: 'windows-1251',
  1252: 'windows-1252',
  1253: 'windows-1253',
  1254: 'windows-1254',
  1255: 'windows-1255',
  1256: 'windows-1256',
  1257: 'windows-1257',
  1258: 'windows-1258',
  28591: 'iso-8859-1',
};

export function isSupportedCodepage(cp: number): boolean {
  return cp === 65001 || cp === 437 || cp in WHATWG_LABELS;
}

interface SingleByte {
  readonly decode: string; // 256 chars
  readonly encode: ReadonlyMap<string, number>;
}

const singleByteCache = new Map<number, SingleByte>();

function singleByte(cp: number): SingleByte {
  let t = singleByteCache.get(cp);
  if (!t) {
    let decode: string;
    if (cp === 437) {
      decode = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i)) + CP437_HIGH;
    } else {
      const label = WHATWG_LABELS[cp];
      if (!label) throw new Error(`unsupported code page ${cp}`);
      decode = new TextDecoder(label).decode(Uint8Array.from({ length: 256 }, (_, i) => i));
    }
    const encode = new Map<string, number>();
    for (let i = 255; i >= 0; i--) encode.set(decode[i]!, i);
    t = { decode, encode };
    singleByteCache.set(cp, t);
  }
  return t;
}

export function encodeText(text: string, cp: number): Buffer {
  if (cp === 65001) return Buffer.from(text, 'utf8');
  const { encode } = singleByte(cp);
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (const ch of text) out[n++] = encode.get(ch) ?? 0x3f;
  return out.subarray(0, n);
}

/** A streaming decoder: multi-byte UTF-8 sequences may be split across Send chunks. */
export function createDecoder(cp: number): (bytes: Uint8Array, end: boolean) => string {
  if (cp === 65001) {
    const d = new TextDecoder('utf-8');
    return (bytes, end) => d.decode(bytes, { stream: !end });
  }
  const { decode } = singleByte(cp);
  return (bytes) => {
    let s = '';
    for (const b of bytes) s += decode[b];
    return s;
  };
}

// Text helpers for the emulated console programs: code pages, Windows' number and date formats
// (en-US), CRLF line handling.

// The upper half of code page 437 (OEM United States), the default console code page.
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const CP437_REVERSE = new Map<string, number>([...CP437_HIGH].map((c, i) => [c, 0x80 + i]));

/** Encode text as a console program writes it to a file or pipe: UTF-8 for 65001, else CP437 ('?' for the rest). */
export function encodeText(text: string, codepage: number): Uint8Array {
  if (codepage === 65001) return new TextEncoder().encode(text);
  const out = new Uint8Array(text.length);
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0x3f;
    out[n++] = c < 0x80 ? c : (CP437_REVERSE.get(ch) ?? 0x3f);
  }
  return out.subarray(0, n);
}

/** Decode bytes read from a file: a UTF-16LE or UTF-8 BOM wins, else the code page. */
export function decodeText(data: Uint8Array, codepage: number): string {
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return new TextDecoder('utf-16le').decode(data.subarray(2));
  if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return new TextDecoder('utf-8').decode(data.subarray(3));
  if (codepage === 65001) return new TextDecoder('utf-8').decode(data);
  let s = '';
  for (const b of data) s += b < 0x80 ? String.fromCharCode(b) : (CP437_HIGH[b - 0x80] ?? '?');
  return s;
}

/** `28,319,084,544`: en-US digit grouping as dir prints sizes. */
export function groupDigits(n: number | bigint): string {
  const s = (typeof n === 'bigint' ? n : BigInt(Math.trunc(n))).toString();
  const neg = s.startsWith('-');
  const digits = neg ? s.slice(1) : s;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return neg ? `-${grouped}` : grouped;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `05/15/2018  09:50 AM` as dir prints a timestamp (en-US short date, 12-hour time; the host runs in UTC). */
export function dirTimestamp(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()}  ${pad2(h12)}:${pad2(d.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `%DATE%` / `date /t`: `Thu 01/01/2026`. */
export function cmdDate(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()] ?? 'Sun'} ${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()}`;
}

/** `%TIME%`: ` 9:05:01.00` (hour space-padded, hundredths). */
export function cmdTime(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCHours()).padStart(2, ' ')}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad2(Math.floor(d.getUTCMilliseconds() / 10))}`;
}

/** `time /t`: `09:05 AM`. */
export function cmdTimeShort(ms: number): string {
  return dirTimestamp(ms).slice(12);
}

/** `1/1/2026, 12:00:00 AM` as systeminfo prints dates. */
export function systeminfoDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}, ${h12}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** Split text into lines on CRLF or LF; a final line break does not add an empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Each line followed by CRLF. */
export function crlf(lines: readonly string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

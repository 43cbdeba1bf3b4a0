// .NET Framework formatting as PowerShell uses it (en-US culture): Double.ToString() with 15
// significant digits, standard and custom numeric format strings (N2, X8, 0.00, #,##0…),
// standard and custom DateTime formats (d, D, g, G, s, u, o, yyyy-MM-dd…), TimeSpan's
// constant format, and composite formatting ("{0,-10:N2}") for the -f operator.

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Double.ToString() in .NET Framework ("G", 15 significant digits; `E+XX` exponents). */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return '0';
  return formatGeneral(d, 15, 'E');
}

/** "G<precision>" formatting of a double. */
export function formatGeneral(d: number, precision: number, expChar: 'E' | 'e'): string {
  if (d === 0) return '0';
  const s = d.toExponential(precision - 1); // d.ddddde+x
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) return String(d);
  const sign = m[1] ?? '';
  let digits = (m[2] ?? '') + (m[3] ?? '');
  const exp = Number(m[4]);
  digits = digits.replace(/0+$/, '');
  if (digits === '') digits = '0';
  if (exp >= precision || exp < -5) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}${expChar}${exp < 0 ? '-' : '+'}${String(e).padStart(2, '0')}`;
  }
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return sign + intPart + (frac !== '' ? '.' + frac : '');
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** Round half away from zero to `decimals` places (what .NET's numeric formats do). */
function roundAway(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** decimals;
  const v = Math.abs(x) * f;
  // correct for binary representation noise (2.675 → 267.49999…)
  const r = Math.round(Number(v.toPrecision(15)));
  return (Math.sign(x) * r) / f;
}

function toFixedAway(x: number, decimals: number): string {
  const r = roundAway(x, decimals);
  const s = Math.abs(r).toFixed(decimals);
  return (r < 0 || (r === 0 && Object.is(r, -0) && false) ? '-' : '') + s;
}

function groupThousands(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Standard or custom numeric format (en-US). `isInteger` selects integer-only formats (D, X). */
export function formatNumber(n: number, format: string, isInteger = Number.isInteger(n)): string {
  const f = format.trim();
  if (f === '') return isInteger ? String(n) : formatDouble(n);
  const m = /^([A-Za-z])(\d{0,2})$/.exec(f);
  if (m !== null) {
    const spec = (m[1] ?? 'G').toUpperCase();
    const lower = m[1] === (m[1] ?? '').toLowerCase();
    const p = m[2] !== undefined && m[2] !== '' ? Number(m[2]) : undefined;
    switch (spec) {
      case 'N': {
        const dec = p ?? 2;
        const s = toFixedAway(n, dec);
        const neg = s.startsWith('-');
        const [i, fr] = (neg ? s.slice(1) : s).split('.');
        return (neg ? '-' : '') + groupThousands(i ?? '0') + (fr !== undefined ? '.' + fr : '');
      }
      case 'F': {
        return toFixedAway(n, p ?? 2);
      }
      case 'C': {
        const dec = p ?? 2;
        const s = toFixedAway(Math.abs(n), dec);
        const [i, fr] = s.split('.');
        const body = '$' + groupThousands(i ?? '0') + (fr !== undefined ? '.' + fr : '');
        return n < 0 ? `(${body})` : body;
      }
      case 'P': {
        const dec = p ?? 2;
        const s = toFixedAway(n * 100, dec);
        const neg = s.startsWith('-');
        const [i, fr] = (neg ? s.slice(1) : s).split('.');
        return (neg ? '-' : '') + groupThousands(i ?? '0') + (fr !== undefined ? '.' + fr : '') + ' %';
      }
      case 'D': {
        if (!isInteger) throw new FormatError();
        const s = String(Math.abs(Math.trunc(n))).padStart(p ?? 0, '0');
        return (n < 0 ? '-' : '') + s;
      }
      case 'X': {
        if (!isInteger) throw new FormatError();
        let v = BigInt(Math.trunc(n));
        if (v < 0n) v = (Math.abs(n) <= 2147483648 ? 0x100000000n : 0x10000000000000000n) + v;
        const s = v.toString(16).padStart(p ?? 0, '0');
        return lower ? s : s.toUpperCase();
      }
      case 'E': {
        const dec = p ?? 6;
        const s = n.toExponential(dec);
        const mm = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
        if (mm === null) return s;
        return `${mm[1] ?? ''}${lower ? 'e' : 'E'}${mm[2] ?? '+'}${(mm[3] ?? '0').padStart(3, '0')}`;
      }
      case 'G': {
        if (p === undefined || p === 0) return isInteger ? String(n) : formatDouble(n);
        return formatGeneral(n, p, lower ? 'e' : 'E');
      }
      case 'R':
        return isInteger ? String(n) : String(n).replace('e', 'E');
      default:
        break;
    }
  }
  return formatCustomNumber(n, f);
}

export class FormatError extends Error {
  constructor() {
    super('Input string was not in a correct format.');
  }
}

/** Custom numeric format strings: 0 # . , % ‰ E0 'literal' \x and ; sections. */
function formatCustomNumber(n: number, format: string): string {
  const sections = splitSections(format);
  let section = sections[0] ?? '';
  let value = n;
  if (n < 0 && sections.length > 1) {
    section = sections[1] ?? section;
    value = Math.abs(n);
  } else if (n === 0 && sections.length > 2) {
    section = sections[2] ?? section;
  }
  // analyse the section
  let inQuote = '';
  let decimalPos = -1;
  let intZeros = 0;
  let fracZeros = 0;
  let fracHashes = 0;
  let grouping = false;
  let percent = false;
  let scaleCommas = 0;
  const placeholders: string[] = [];
  for (let i = 0; i < section.length; i++) {
    const c = section[i] ?? '';
    if (inQuote !== '') {
      if (c === inQuote) inQuote = '';
      continue;
    }
    if (c === "'" || c === '"') {
      inQuote = c;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '.') {
      if (decimalPos < 0) decimalPos = placeholders.length;
      continue;
    }
    if (c === '0' || c === '#') {
      placeholders.push(c);
      if (decimalPos < 0) {
        if (c === '0') intZeros++;
      } else if (c === '0') fracZeros = placeholders.length - decimalPos;
      else fracHashes = placeholders.length - decimalPos;
      continue;
    }
    if (c === ',') {
      // a comma right before the decimal point (or end) scales by 1000
      const nx = section[i + 1] ?? '';
      if (decimalPos < 0 && (nx === '.' || nx === '' || nx === ',')) scaleCommas++;
      else grouping = true;
      continue;
    }
    if (c === '%') percent = true;
  }
  const fracDigits = Math.max(fracZeros, fracHashes);
  if (percent) value *= 100;
  if (scaleCommas > 0 && !grouping) value /= 1000 ** scaleCommas;
  const neg = value < 0 && sections.length === 1;
  const abs = Math.abs(value);
  const fixed = toFixedAway(abs, fracDigits);
  const parts = fixed.split('.');
  let intStr = parts[0] ?? '0';
  const fracStr = parts[1];
  if (intStr === '0' && intZeros === 0) intStr = '';
  intStr = intStr.padStart(intZeros, '0');
  if (grouping && intStr !== '') intStr = groupThousands(intStr);
  let frac = fracStr ?? '';
  // trim optional trailing digits
  while (frac.length > fracZeros && frac.endsWith('0')) frac = frac.slice(0, -1);
  // assemble: replace the digit placeholders region with the number, keep literals around it
  let out = '';
  let placedNumber = false;
  inQuote = '';
  for (let i = 0; i < section.length; i++) {
    const c = section[i] ?? '';
    if (inQuote !== '') {
      if (c === inQuote) inQuote = '';
      else out += c;
      continue;
    }
    if (c === "'" || c === '"') {
      inQuote = c;
      continue;
    }
    if (c === '\\') {
      out += section[i + 1] ?? '';
      i++;
      continue;
    }
    if (c === '0' || c === '#' || c === '.' || c === ',') {
      if (!placedNumber) {
        placedNumber = true;
        out += intStr + (frac !== '' ? '.' + frac : '');
      }
      continue;
    }
    out += c;
  }
  if (!placedNumber) out += '';
  const isZero = Number(fixed) === 0;
  return (neg && !isZero ? '-' : '') + out;
}

function splitSections(format: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i] ?? '';
    if (q !== '') {
      cur += c;
      if (c === q) q = '';
      continue;
    }
    if (c === "'" || c === '"') {
      q = c;
      cur += c;
      continue;
    }
    if (c === '\\') {
      cur += c + (format[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === ';') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

// ---- dates ----------------------------------------------------------------------------------

export interface DateParts {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly ms: number;
  readonly dayOfWeek: number; // 0 = Sunday
  /** 100-ns ticks below the millisecond. */
  readonly subTicks: number;
  readonly utc: boolean;
  readonly kind: 'Local' | 'Utc' | 'Unspecified';
}

export function dateParts(ms: number, kind: 'Local' | 'Utc' | 'Unspecified' = 'Local', subTicks = 0): DateParts {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
    dayOfWeek: d.getUTCDay(),
    subTicks,
    utc: kind === 'Utc',
    kind,
  };
}

const STANDARD_DATE: Record<string, string> = {
  d: 'M/d/yyyy',
  D: 'dddd, MMMM d, yyyy',
  f: 'dddd, MMMM d, yyyy h:mm tt',
  F: 'dddd, MMMM d, yyyy h:mm:ss tt',
  g: 'M/d/yyyy h:mm tt',
  G: 'M/d/yyyy h:mm:ss tt',
  m: 'MMMM d',
  M: 'MMMM d',
  t: 'h:mm tt',
  T: 'h:mm:ss tt',
  y: 'MMMM yyyy',
  Y: 'MMMM yyyy',
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, MMMM d, yyyy h:mm:ss tt',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
};

/** DateTime.ToString(format) for en-US. Time zone: the emulated host runs on UTC. */
export function formatDate(p: DateParts, format: string | undefined): string {
  let f = format ?? 'G';
  if (f === '') f = 'G';
  if (f.length === 1) {
    const std = STANDARD_DATE[f];
    if (std === undefined) throw new FormatError();
    f = std;
  }
  let out = '';
  for (let i = 0; i < f.length; ) {
    const c = f[i] ?? '';
    let n = 1;
    while (f[i + n] === c) n++;
    switch (c) {
      case 'y':
        out += n <= 2 ? String(p.year % 100).padStart(n, '0') : String(p.year).padStart(n, '0');
        break;
      case 'M':
        out += n === 1 ? String(p.month) : n === 2 ? String(p.month).padStart(2, '0') : n === 3 ? (MONTH_NAMES[p.month - 1] ?? '').slice(0, 3) : (MONTH_NAMES[p.month - 1] ?? '');
        break;
      case 'd':
        out += n === 1 ? String(p.day) : n === 2 ? String(p.day).padStart(2, '0') : n === 3 ? (DAY_NAMES[p.dayOfWeek] ?? '').slice(0, 3) : (DAY_NAMES[p.dayOfWeek] ?? '');
        break;
      case 'h': {
        const h = p.hour % 12 === 0 ? 12 : p.hour % 12;
        out += n === 1 ? String(h) : String(h).padStart(2, '0');
        break;
      }
      case 'H':
        out += n === 1 ? String(p.hour) : String(p.hour).padStart(2, '0');
        break;
      case 'm':
        out += n === 1 ? String(p.minute) : String(p.minute).padStart(2, '0');
        break;
      case 's':
        out += n === 1 ? String(p.second) : String(p.second).padStart(2, '0');
        break;
      case 'f':
      case 'F': {
        const ticks7 = String(p.ms * 10000 + p.subTicks).padStart(7, '0');
        let frac = ticks7.slice(0, Math.min(n, 7));
        if (c === 'F') frac = frac.replace(/0+$/, '');
        out += frac;
        break;
      }
      case 't':
        out += n === 1 ? (p.hour < 12 ? 'A' : 'P') : p.hour < 12 ? 'AM' : 'PM';
        break;
      case 'z': {
        // UTC host: offset +00:00
        out += n === 1 ? '+0' : n === 2 ? '+00' : '+00:00';
        break;
      }
      case 'K':
        out += p.kind === 'Utc' ? 'Z' : p.kind === 'Local' ? '+00:00' : '';
        n = 1;
        break;
      case 'g':
        out += 'A.D.';
        break;
      case ':':
      case '/':
        out += c;
        n = 1;
        break;
      case "'":
      case '"': {
        const end = f.indexOf(c, i + 1);
        out += f.slice(i + 1, end < 0 ? f.length : end);
        i = end < 0 ? f.length : end + 1;
        continue;
      }
      case '\\':
        out += f[i + 1] ?? '';
        i += 2;
        continue;
      case '%':
        n = 1;
        break;
      default:
        out += c.repeat(n);
        break;
    }
    i += n;
  }
  return out;
}

/** TimeSpan.ToString() ("c"): [-][d.]hh:mm:ss[.fffffff] */
export function formatTimeSpan(ms: number): string {
  const neg = ms < 0;
  let ticks = Math.round(Math.abs(ms) * 10000);
  const days = Math.floor(ticks / 864000000000);
  ticks -= days * 864000000000;
  const hours = Math.floor(ticks / 36000000000);
  ticks -= hours * 36000000000;
  const minutes = Math.floor(ticks / 600000000);
  ticks -= minutes * 600000000;
  const seconds = Math.floor(ticks / 10000000);
  ticks -= seconds * 10000000;
  let s = neg ? '-' : '';
  if (days > 0) s += `${days}.`;
  s += `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
  if (ticks > 0) s += '.' + String(ticks).padStart(7, '0');
  return s;
}

/**
 * Composite formatting (`String.Format`, the -f operator): `{index[,alignment][:format]}`,
 * `{{` and `}}` escapes. `fmt` renders one argument with an optional format string.
 */
export function compositeFormat(format: string, args: readonly unknown[], fmt: (arg: unknown, format: string | undefined) => string): string {
  let out = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i] ?? '';
    if (c === '{') {
      if (format[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      const close = format.indexOf('}', i);
      if (close < 0) throw new FormatError();
      const spec = format.slice(i + 1, close);
      const m = /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/s.exec(spec);
      if (m === null) throw new FormatError();
      const index = Number(m[1]);
      if (index >= args.length) throw new IndexFormatError();
      let text = fmt(args[index], m[3]);
      if (m[2] !== undefined) {
        const w = Number(m[2]);
        text = w < 0 ? text.padEnd(-w) : text.padStart(w);
      }
      out += text;
      i = close + 1;
      continue;
    }
    if (c === '}') {
      if (format[i + 1] === '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw new FormatError();
    }
    out += c;
    i++;
  }
  return out;
}

export class IndexFormatError extends Error {
  constructor() {
    super('Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');
  }
}

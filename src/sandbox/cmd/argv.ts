// Argument splitting. Windows passes a program one command-line string; each program splits it
// itself. Console programs (powershell.exe, whoami.exe…) use the C runtime's rules
// (CommandLineToArgvW); cmd.exe's internal commands split on delimiters and keep quotes.

/**
 * Split arguments by the Microsoft C runtime rules (learn.microsoft.com "Parsing C++
 * command-line arguments"): whitespace separates; `"` groups; 2n backslashes before `"` give n
 * backslashes and a quote that toggles; 2n+1 give n backslashes and a literal `"`; `""` inside
 * quotes is a literal `"`.
 */
export function splitArgv(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= n) break;
    let cur = '';
    let quoted = false;
    while (i < n) {
      const c = text[i] ?? '';
      if (!quoted && (c === ' ' || c === '\t')) break;
      if (c === '\\') {
        let k = i;
        while (k < n && text[k] === '\\') k++;
        const count = k - i;
        if (text[k] === '"') {
          cur += '\\'.repeat(Math.floor(count / 2));
          if (count % 2 === 1) {
            cur += '"';
            i = k + 1;
          } else {
            i = k;
          }
        } else {
          cur += '\\'.repeat(count);
          i = k;
        }
        continue;
      }
      if (c === '"') {
        if (quoted && text[i + 1] === '"') {
          cur += '"';
          i += 2;
          continue;
        }
        quoted = !quoted;
        i++;
        continue;
      }
      cur += c;
      i++;
    }
    args.push(cur);
  }
  return args;
}

export interface Word {
  /** As typed, quotes included. */
  readonly raw: string;
  /** Quotes removed. */
  readonly value: string;
  /** Offset of the word in the text. */
  readonly start: number;
  readonly end: number;
}

/** cmd.exe's token delimiters for internal commands: whitespace, `,`, `;`, `=`. */
const CMD_DELIMS = new Set([' ', '\t', ',', ';', '=']);

/**
 * Split an internal command's arguments as cmd.exe does: delimiters (whitespace, and with
 * `delims` also `,;=`) separate words outside quotes; a `/` starts a new word (`dir/b`).
 */
export function splitWords(text: string, opts: { readonly delims?: 'space' | 'cmd'; readonly slashSplits?: boolean } = {}): Word[] {
  const isDelim = (c: string): boolean => (opts.delims === 'cmd' ? CMD_DELIMS.has(c) : c === ' ' || c === '\t');
  const out: Word[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isDelim(text[i] ?? '')) i++;
    if (i >= n) break;
    const start = i;
    let quoted = false;
    let value = '';
    while (i < n) {
      const c = text[i] ?? '';
      if (!quoted && isDelim(c)) break;
      if (!quoted && c === '/' && opts.slashSplits === true && i > start) break;
      if (c === '"') quoted = !quoted;
      else value += c;
      i++;
    }
    out.push({ raw: text.slice(start, i), value, start, end: i });
  }
  return out;
}

/** Quote an argument for a command line when it needs it (the inverse of splitArgv, simple cases). */
export function quoteArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

// cmd.exe's command-line grammar, in the two phases cmd itself uses for a `cmd /c` line
// (command-line mode, not batch mode):
//
// 1. percent expansion of the whole line before anything is parsed (so `%ERRORLEVEL%` is the
//    value when the line started, and a value containing `&` becomes an operator);
//    an undefined variable is left as typed, `%%` is not special;
// 2. tokenising and parsing: `^` escapes the next character outside quotes, `"` toggles quoting,
//    operators by increasing precedence `&`, `||`, `&&`, `|`; `( … )` blocks (a `)` ends a
//    block only inside one), redirections `[n]>file`, `[n]>>file`, `<file`, `[n]>&m`, anywhere
//    in a command; `IF` and `REM` are parsed specially.
//
// Sources: `cmd /?`, `if /?`, `set /?` help texts; the cmd parsing rules collected by dbenham and
// jeb ("How does the Windows Command Interpreter (CMD.EXE) parse scripts?", Stack Overflow).

/** A syntax error; `message` is exactly the line cmd.exe prints on stderr. */
export class CmdSyntaxError extends Error {
  override readonly name = 'CmdSyntaxError';
}

/** cmd's limit on a command line (8191 characters). */
export const MAX_LINE = 8191;
const MAX_DEPTH = 128;

export const SYNTAX_INCORRECT = 'The syntax of the command is incorrect.';

export interface Redirect {
  /** 0 stdin, 1 stdout, 2 stderr, 3-9 extra handles. */
  readonly fd: number;
  /** `>` truncate, `>>` append, `<` read, `dup` `n>&m`. */
  readonly op: '>' | '>>' | '<' | 'dup';
  /** File name (quotes kept) or, for `dup`, the handle digit. */
  readonly target: string;
}

export type IfCondition =
  | { readonly kind: 'errorlevel'; readonly value: string }
  | { readonly kind: 'exist'; readonly path: string }
  | { readonly kind: 'defined'; readonly name: string }
  | { readonly kind: 'cmdextversion'; readonly value: string }
  | { readonly kind: 'compare'; readonly op: 'EQU' | 'NEQ' | 'LSS' | 'LEQ' | 'GTR' | 'GEQ' | '=='; readonly left: string; readonly right: string };

type CompareOp = Extract<IfCondition, { kind: 'compare' }>['op'];

export type CmdNode =
  | { readonly kind: 'simple'; readonly text: string; readonly redirects: readonly Redirect[] }
  | { readonly kind: 'block'; readonly body: CmdNode | undefined; readonly redirects: readonly Redirect[] }
  | { readonly kind: 'if'; readonly negate: boolean; readonly ignoreCase: boolean; readonly condition: IfCondition; readonly then: CmdNode; readonly else: CmdNode | undefined }
  | { readonly kind: 'rem' }
  | { readonly kind: '&' | '&&' | '||' | '|'; readonly left: CmdNode; readonly right: CmdNode };

// ---------------------------------------------------------------------------------------------
// Phase 1: percent expansion

/**
 * Expand `%NAME%`, `%NAME:~n,m%` and `%NAME:old=new%` in command-line mode. `lookup` answers
 * variables (including the dynamic ones: CD, ERRORLEVEL, DATE…); undefined leaves the text.
 */
export function expandPercent(line: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const start = line.indexOf('%', i);
    if (start < 0) {
      out += line.slice(i);
      break;
    }
    out += line.slice(i, start);
    const end = line.indexOf('%', start + 1);
    if (end < 0) {
      out += line.slice(start);
      break;
    }
    const body = line.slice(start + 1, end);
    const value = body === '' ? undefined : expandVariable(body, lookup);
    if (value === undefined) {
      // Left as typed; the closing % may open the next variable.
      out += line.slice(start, end);
      i = end;
    } else {
      out += value;
      i = end + 1;
    }
  }
  return out;
}

function expandVariable(body: string, lookup: (name: string) => string | undefined): string | undefined {
  const colon = body.indexOf(':');
  if (colon < 0) return lookup(body);
  const name = body.slice(0, colon);
  const mod = body.slice(colon + 1);
  const value = lookup(name);
  if (value === undefined) return undefined;
  if (mod.startsWith('~')) {
    const m = /^~\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?$/.exec(mod);
    if (m === null) return undefined;
    const len = value.length;
    let from = Number(m[1]);
    if (from < 0) from = Math.max(0, len + from);
    from = Math.min(from, len);
    let to = len;
    if (m[2] !== undefined) {
      const n = Number(m[2]);
      to = n < 0 ? Math.max(from, len + n) : Math.min(len, from + n);
    }
    return value.slice(from, Math.max(from, to));
  }
  const eq = mod.indexOf('=');
  if (eq < 0) return undefined;
  let search = mod.slice(0, eq);
  const replacement = mod.slice(eq + 1);
  if (search === '') return value;
  if (search.startsWith('*')) {
    search = search.slice(1);
    if (search === '') return value;
    const at = value.toUpperCase().indexOf(search.toUpperCase());
    return at < 0 ? value : replacement + value.slice(at + search.length);
  }
  let out = '';
  let i = 0;
  const upper = value.toUpperCase();
  const key = search.toUpperCase();
  for (;;) {
    const at = upper.indexOf(key, i);
    if (at < 0) break;
    out += value.slice(i, at) + replacement;
    i = at + search.length;
  }
  return out + value.slice(i);
}

// ---------------------------------------------------------------------------------------------
// Phase 2: parsing

const WS = new Set([' ', '\t', '\u000b', '\u000c', '\u00a0']);
const LEADING_DELIMS = new Set([' ', '\t', '\u000b', '\u000c', '\u00a0', ',', ';', '=', '@']);

/**
 * Parse an expanded `cmd /c` line. Returns undefined for an empty line. Throws CmdSyntaxError
 * with cmd's own message for what cmd refuses (`& was unexpected at this time.`).
 */
export function parseCommandLine(line: string): CmdNode | undefined {
  if (line.length > MAX_LINE) throw new CmdSyntaxError('The command line is too long.');
  // cmd drops carriage returns and stops at a line feed.
  let text = line.replace(/\r/g, '');
  const lf = text.indexOf('\n');
  if (lf >= 0) text = text.slice(0, lf);
  const p = new Parser(text);
  const node = p.parseSequence();
  p.skipWhitespace();
  if (!p.atEnd()) throw new CmdSyntaxError(`${p.peekWord()} was unexpected at this time.`);
  return node;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  skipWhitespace(): void {
    while (!this.atEnd() && WS.has(this.peek())) this.pos++;
  }

  /** The next word, for "x was unexpected at this time." */
  peekWord(): string {
    const rest = this.src.slice(this.pos);
    const op = /^(&&|\|\||&|\||\(|\))/.exec(rest);
    if (op !== null) return op[1] ?? '';
    return /^[^\s&|()<>]*/.exec(rest)?.[0] ?? rest;
  }

  private endsCommand(): boolean {
    const c = this.peek();
    return c === '' || c === '&' || c === '|' || (c === ')' && this.depth > 0);
  }

  parseSequence(): CmdNode | undefined {
    let left = this.parseOr();
    for (;;) {
      this.skipWhitespace();
      if (this.peek() !== '&' || this.peek(1) === '&') break;
      if (left === undefined) throw new CmdSyntaxError('& was unexpected at this time.');
      this.pos++;
      this.skipWhitespace();
      // A trailing `&` (before the end or a block's `)`) is accepted.
      if (this.atEnd() || (this.peek() === ')' && this.depth > 0)) break;
      const right = this.parseOr();
      if (right === undefined) throw new CmdSyntaxError(`${this.peekWord()} was unexpected at this time.`);
      left = { kind: '&', left, right };
    }
    return left;
  }

  private parseBinary(op: '||' | '&&', next: () => CmdNode | undefined): CmdNode | undefined {
    let left = next();
    for (;;) {
      this.skipWhitespace();
      if (this.peek() !== op[0] || this.peek(1) !== op[1]) break;
      if (left === undefined) throw new CmdSyntaxError(`${op} was unexpected at this time.`);
      this.pos += 2;
      this.skipWhitespace();
      if (this.atEnd() || (this.peek() === ')' && this.depth > 0)) throw new CmdSyntaxError(SYNTAX_INCORRECT);
      const right = next();
      if (right === undefined) throw new CmdSyntaxError(`${this.peekWord()} was unexpected at this time.`);
      left = { kind: op, left, right };
    }
    return left;
  }

  private parseOr(): CmdNode | undefined {
    return this.parseBinary('||', () => this.parseAnd());
  }

  private parseAnd(): CmdNode | undefined {
    return this.parseBinary('&&', () => this.parsePipe());
  }

  private parsePipe(): CmdNode | undefined {
    let left = this.parseCommand();
    for (;;) {
      this.skipWhitespace();
      if (this.peek() !== '|' || this.peek(1) === '|') break;
      if (left === undefined) throw new CmdSyntaxError('| was unexpected at this time.');
      this.pos++;
      this.skipWhitespace();
      if (this.atEnd() || (this.peek() === ')' && this.depth > 0)) throw new CmdSyntaxError(SYNTAX_INCORRECT);
      const right = this.parseCommand();
      if (right === undefined) throw new CmdSyntaxError(`${this.peekWord()} was unexpected at this time.`);
      left = { kind: '|', left, right };
    }
    return left;
  }

  /** Is the text at pos the keyword `word` followed by a delimiter or the end? */
  private keyword(word: string): boolean {
    const s = this.src.slice(this.pos, this.pos + word.length);
    if (s.toLowerCase() !== word) return false;
    const after = this.src[this.pos + word.length] ?? '';
    return after === '' || WS.has(after) || after === ',' || after === ';' || after === '=' || (word === 'rem' && (after === '/' || after === ':'));
  }

  private parseCommand(): CmdNode | undefined {
    while (!this.atEnd() && LEADING_DELIMS.has(this.peek())) this.pos++;
    if (this.atEnd()) return undefined;
    const c = this.peek();
    if (c === '&' || c === '|') throw new CmdSyntaxError(`${this.peekWord()} was unexpected at this time.`);
    if (c === ')' && this.depth > 0) return undefined;
    if (c === '(') return this.parseBlock();
    if (this.keyword('rem')) {
      this.pos = this.src.length;
      return { kind: 'rem' };
    }
    if (this.keyword('if')) return this.parseIf();
    return this.parseSimple();
  }

  private parseBlock(): CmdNode {
    if (this.depth >= MAX_DEPTH) throw new CmdSyntaxError(SYNTAX_INCORRECT);
    this.pos++; // (
    this.depth++;
    const body = this.parseSequence();
    this.skipWhitespace();
    if (this.peek() !== ')') {
      // cmd waits for "More?" interactively; with /c the line simply ends: refused.
      throw new CmdSyntaxError(SYNTAX_INCORRECT);
    }
    if (body === undefined) throw new CmdSyntaxError(') was unexpected at this time.');
    this.pos++; // )
    this.depth--;
    const redirects: Redirect[] = [];
    for (;;) {
      this.skipWhitespace();
      const ch = this.peek();
      if (ch === '>' || ch === '<') redirects.push(this.parseRedirect(ch === '<' ? 0 : 1));
      else if (/^[0-9]$/.test(ch) && (this.peek(1) === '>' || this.peek(1) === '<')) {
        this.pos++;
        redirects.push(this.parseRedirect(Number(ch)));
      } else break;
    }
    return { kind: 'block', body, redirects };
  }

  /** After a block: anything but an operator, `)` or `else` (when allowed) is unexpected. */
  private expectBlockEnd(allowElse: boolean): void {
    this.skipWhitespace();
    if (this.endsCommand()) return;
    if (allowElse && this.keyword('else')) return;
    throw new CmdSyntaxError(`${this.peekWord()} was unexpected at this time.`);
  }

  /** One IF condition word: up to whitespace outside quotes. */
  private ifWord(): string {
    this.skipWhitespace();
    let out = '';
    let quoted = false;
    while (!this.atEnd()) {
      const c = this.peek();
      if (!quoted && (WS.has(c) || c === '&' || c === '|' || c === '(' || c === ')' || c === '<' || c === '>')) break;
      if (c === '"') quoted = !quoted;
      if (c === '^' && !quoted) {
        this.pos++;
        out += this.peek();
        this.pos++;
        continue;
      }
      out += c;
      this.pos++;
    }
    return out;
  }

  /** Nested IFs (`if a if b …`) recurse too: bounded like parentheses. */
  private ifDepth = 0;

  private parseIf(): CmdNode {
    if (this.ifDepth >= MAX_DEPTH) throw new CmdSyntaxError(SYNTAX_INCORRECT);
    this.ifDepth++;
    try {
      return this.parseIfBody();
    } finally {
      this.ifDepth--;
    }
  }

  private parseIfBody(): CmdNode {
    this.pos += 2;
    let negate = false;
    let ignoreCase = false;
    let word = this.ifWord();
    if (word.toLowerCase() === '/i') {
      ignoreCase = true;
      word = this.ifWord();
    }
    if (word.toLowerCase() === 'not') {
      negate = true;
      word = this.ifWord();
    }
    if (word === '') throw new CmdSyntaxError(SYNTAX_INCORRECT);
    let condition: IfCondition;
    const lower = word.toLowerCase();
    const eqAt = findUnquoted(word, '==');
    if (eqAt >= 0) {
      const left = word.slice(0, eqAt);
      let right = word.slice(eqAt + 2);
      if (right === '') right = this.ifWord();
      if (right === '') throw new CmdSyntaxError(SYNTAX_INCORRECT);
      condition = { kind: 'compare', op: '==', left, right };
    } else if (lower === 'errorlevel' || lower === 'exist' || lower === 'defined' || lower === 'cmdextversion') {
      const arg = this.ifWord();
      if (arg === '') throw new CmdSyntaxError(SYNTAX_INCORRECT);
      condition =
        lower === 'errorlevel'
          ? { kind: 'errorlevel', value: arg }
          : lower === 'exist'
            ? { kind: 'exist', path: arg }
            : lower === 'defined'
              ? { kind: 'defined', name: arg }
              : { kind: 'cmdextversion', value: arg };
    } else {
      const opWord = this.ifWord();
      let op: CompareOp;
      let right: string;
      if (opWord.startsWith('==')) {
        op = '==';
        right = opWord.length > 2 ? opWord.slice(2) : this.ifWord();
      } else {
        const upper = opWord.toUpperCase();
        if (opWord === '') throw new CmdSyntaxError(SYNTAX_INCORRECT);
        if (upper !== 'EQU' && upper !== 'NEQ' && upper !== 'LSS' && upper !== 'LEQ' && upper !== 'GTR' && upper !== 'GEQ') {
          throw new CmdSyntaxError(`${opWord} was unexpected at this time.`);
        }
        op = upper;
        right = this.ifWord();
      }
      if (right === '') throw new CmdSyntaxError(SYNTAX_INCORRECT);
      condition = { kind: 'compare', op, left: word, right };
    }
    while (!this.atEnd() && LEADING_DELIMS.has(this.peek())) this.pos++;
    if (this.atEnd() || this.endsCommand()) throw new CmdSyntaxError(SYNTAX_INCORRECT);
    let then: CmdNode | undefined;
    let elseNode: CmdNode | undefined;
    if (this.peek() === '(') {
      then = this.parseBlock();
      this.expectBlockEnd(true);
      if (this.keyword('else')) {
        this.pos += 4;
        while (!this.atEnd() && LEADING_DELIMS.has(this.peek())) this.pos++;
        if (this.endsCommand()) throw new CmdSyntaxError(SYNTAX_INCORRECT);
        elseNode = this.peek() === '(' ? this.parseBlockThenEnd() : this.parseSequence();
      }
    } else {
      // Without a block the IF's command is the rest of the line, operators included.
      then = this.parseSequence();
    }
    if (then === undefined) throw new CmdSyntaxError(SYNTAX_INCORRECT);
    return { kind: 'if', negate, ignoreCase, condition, then, else: elseNode };
  }

  private parseBlockThenEnd(): CmdNode {
    const b = this.parseBlock();
    this.expectBlockEnd(false);
    return b;
  }

  private parseSimple(): CmdNode {
    let text = '';
    const redirects: Redirect[] = [];
    let quoted = false;
    // Whether the last character of `text` is a digit typed on its own (a handle number).
    let handleDigitAt = -1;
    while (!this.atEnd()) {
      const c = this.peek();
      if (quoted) {
        text += c;
        this.pos++;
        if (c === '"') quoted = false;
        continue;
      }
      if (c === '"') {
        quoted = true;
        text += c;
        this.pos++;
        continue;
      }
      if (c === '^') {
        this.pos++;
        if (!this.atEnd()) {
          text += this.peek();
          this.pos++;
        }
        continue;
      }
      if (c === '&' || c === '|' || (c === ')' && this.depth > 0)) break;
      if (c === '<' || c === '>') {
        let fd = c === '<' ? 0 : 1;
        if (handleDigitAt === text.length - 1 && handleDigitAt >= 0) {
          fd = Number(text[handleDigitAt]);
          text = text.slice(0, handleDigitAt);
        }
        redirects.push(this.parseRedirect(fd));
        handleDigitAt = -1;
        continue;
      }
      const prev = text[text.length - 1];
      if (/^[0-9]$/.test(c) && (prev === undefined || WS.has(prev))) handleDigitAt = text.length;
      else handleDigitAt = -1;
      text += c;
      this.pos++;
    }
    return { kind: 'simple', text, redirects };
  }

  private parseRedirect(fd: number): Redirect {
    const c = this.peek();
    let op: Redirect['op'];
    if (c === '<') {
      op = '<';
      this.pos++;
    } else if (this.peek(1) === '>') {
      op = '>>';
      this.pos += 2;
    } else {
      op = '>';
      this.pos++;
    }
    if (this.peek() === '&') {
      this.pos++;
      const d = this.peek();
      if (!/^[0-9]$/.test(d)) throw new CmdSyntaxError(SYNTAX_INCORRECT);
      this.pos++;
      return { fd, op: 'dup', target: d };
    }
    this.skipWhitespace();
    let target = '';
    let quoted = false;
    while (!this.atEnd()) {
      const ch = this.peek();
      if (quoted) {
        target += ch;
        this.pos++;
        if (ch === '"') quoted = false;
        continue;
      }
      if (WS.has(ch) || ch === '&' || ch === '|' || ch === '<' || ch === '>' || (ch === ')' && this.depth > 0)) break;
      if (ch === '^') {
        this.pos++;
        if (!this.atEnd()) target += this.peek();
        this.pos++;
        continue;
      }
      if (ch === '"') quoted = true;
      target += ch;
      this.pos++;
    }
    if (target === '' || target === '""') throw new CmdSyntaxError(SYNTAX_INCORRECT);
    return { fd, op, target };
  }
}

function findUnquoted(s: string, needle: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted;
    else if (!quoted && s.startsWith(needle, i)) return i;
  }
  return -1;
}

// PowerShell's tokenizer (about_Parsing, about_Quoting_Rules, about_Special_Characters), modelled
// on Windows PowerShell 5.1's: the parser asks for the next token in a mode, because the same
// characters scan differently in command (argument) mode and expression mode: `-foo` is a
// parameter or an operator, `7z` a bareword or an error, `a.b` one argument or a member access.
import type { Extent } from './position.js';

export type TokenMode = 'command' | 'expression';

export type TokenKind =
  | 'EOF'
  | 'NewLine'
  | 'Variable'
  | 'SplattedVariable'
  | 'Number'
  | 'StringLiteral'
  | 'StringExpandable'
  | 'Generic'
  | 'Identifier'
  | 'Keyword'
  | 'Parameter'
  | 'Operator'
  | 'Punct'
  | 'Redirection'
  | 'Unknown';

export type NumberType = 'Int32' | 'Int64' | 'Double' | 'Decimal';

export interface Redirection {
  /** 1 = output, 2 = error, 3 warning, 4 verbose, 5 debug, 6 information, 0 = all (*). */
  readonly from: number;
  /** Merging redirection (`2>&1`): the target stream. */
  readonly toStream?: number;
  readonly append: boolean;
}

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Whitespace (or a comment) separates this token from the previous one. */
  readonly spaceBefore: boolean;
  /**
   * Kind-specific value: string content (escapes processed for literal kinds, raw for expandable
   * strings), variable name, parameter name, keyword / operator (lower case), generic text.
   */
  readonly value: string;
  readonly num?: number;
  readonly numType?: NumberType;
  /** Variable scope/drive prefix (`global`, `env`…), lower case. */
  readonly scope?: string;
  /** `${...}` variable. */
  readonly braced?: boolean;
  /** Parameter token written with a trailing colon (`-Name:value`). */
  readonly colon?: boolean;
  /** Double-quoted / here-string / bareword with `$`: needs expansion. */
  readonly expandable?: boolean;
  readonly hereString?: boolean;
  readonly redirection?: Redirection;
  /** A scanning error found in this token (unterminated string…). */
  readonly error?: { readonly id: string; readonly args: readonly string[]; readonly extent: Extent; readonly incomplete: boolean };
}

export const KEYWORDS = new Set([
  'begin', 'break', 'catch', 'class', 'configuration', 'continue', 'data', 'define', 'do', 'dynamicparam', 'else', 'elseif', 'end', 'enum',
  'exit', 'filter', 'finally', 'for', 'foreach', 'from', 'function', 'hidden', 'if', 'in', 'inlinescript', 'parallel', 'param', 'process',
  'return', 'sequence', 'static', 'switch', 'throw', 'trap', 'try', 'until', 'using', 'var', 'while', 'workflow',
]);

const COMPARISON_BASES = [
  'eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'notlike', 'match', 'notmatch', 'replace', 'contains', 'notcontains', 'in', 'notin', 'split',
];
/** Dash operators PowerShell 5.1 knows, lower case without the dash. */
export const DASH_OPERATORS = new Set<string>([
  ...COMPARISON_BASES,
  ...COMPARISON_BASES.map((b) => `i${b}`),
  ...COMPARISON_BASES.map((b) => `c${b}`),
  'is', 'isnot', 'as', 'and', 'or', 'xor', 'not', 'band', 'bor', 'bxor', 'bnot', 'shl', 'shr', 'f', 'join',
]);

const SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b";
const DOUBLE_QUOTES = '"\u201c\u201d\u201e';
const DASHES = '-\u2013\u2014\u2015';

export function isSingleQuote(c: string): boolean {
  return c !== '' && SINGLE_QUOTES.includes(c);
}
export function isDoubleQuote(c: string): boolean {
  return c !== '' && DOUBLE_QUOTES.includes(c);
}
export function isDash(c: string): boolean {
  return c !== '' && DASHES.includes(c);
}
function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\u0085' || (c > '\u007f' && /\s/.test(c) && c !== '\u2028' && c !== '\u2029');
}
function isNewline(c: string): boolean {
  return c === '\n' || c === '\r';
}
/** Characters that end a bareword in command mode. */
export function forceStartNewToken(c: string): boolean {
  return c === '' || isWhitespace(c) || isNewline(c) || '&(),;{|}'.includes(c);
}
function forceStartNewTokenAfterNumber(c: string): boolean {
  return c !== '' && ('!#%*+-./<=>]'.includes(c) || isDash(c));
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isHexDigit(c: string): boolean {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
function isLetter(c: string): boolean {
  return c !== '' && /\p{L}/u.test(c);
}
export function isIdentifierStart(c: string): boolean {
  return c === '_' || isLetter(c);
}
export function isIdentifierFollow(c: string): boolean {
  return c === '_' || isDigit(c) || isLetter(c);
}

/** What a backtick followed by `c` means in 5.1 (about_Special_Characters; `e and `u{} are 6+). */
export function backtickChar(c: string): string {
  switch (c) {
    case '0':
      return '\u0000';
    case 'a':
      return '\u0007';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    default:
      return c;
  }
}

interface TokenFields {
  value?: string;
  num?: number;
  numType?: NumberType;
  scope?: string;
  braced?: boolean;
  colon?: boolean;
  expandable?: boolean;
  hereString?: boolean;
  redirection?: Redirection;
  error?: Token['error'];
}

/**
 * Scans one token at a given offset. Stateless between calls so that the parser can re-scan
 * the same characters in another mode (as PowerShell's parser resyncs its tokenizer).
 */
export class Tokenizer {
  private pos = 0;
  private tokenStart = 0;
  private spaceBefore = false;

  constructor(
    readonly text: string,
    readonly limit: number = text.length,
  ) {}

  private ch(i: number): string {
    return i < this.limit ? (this.text[i] ?? '') : '';
  }

  private make(kind: TokenKind, fields: TokenFields = {}): Token {
    const text = this.text.slice(this.tokenStart, this.pos);
    // Built field by field: an object spread of so many shapes fell into V8's slow path and cost
    // ~6 µs per token, most of a parse (decision 0006).
    const token: Record<string, unknown> = { kind, text, start: this.tokenStart, end: this.pos, spaceBefore: this.spaceBefore, value: fields.value ?? text };
    for (const k in fields) {
      const v = fields[k as keyof TokenFields];
      if (v !== undefined && k !== 'value') token[k] = v;
    }
    return token as unknown as Token;
  }

  /** The token starting at or after `offset` (whitespace, comments and line continuations skipped). */
  scan(offset: number, mode: TokenMode): Token {
    this.pos = offset;
    this.spaceBefore = false;
    for (;;) {
      this.tokenStart = this.pos;
      const c = this.ch(this.pos);
      if (c === '') {
        return this.make('EOF', { value: '' });
      }
      if (isWhitespace(c)) {
        this.pos++;
        this.spaceBefore = true;
        continue;
      }
      if (c === '#') {
        while (this.pos < this.limit && !isNewline(this.ch(this.pos))) this.pos++;
        this.spaceBefore = true;
        continue;
      }
      if (c === '<' && this.ch(this.pos + 1) === '#') {
        const end = this.text.indexOf('#>', this.pos + 2);
        if (end < 0 || end + 2 > this.limit) {
          this.pos = this.limit;
        } else {
          this.pos = end + 2;
        }
        this.spaceBefore = true;
        continue;
      }
      if (c === '`') {
        const c1 = this.ch(this.pos + 1);
        if (isNewline(c1)) {
          this.pos += 2;
          if (c1 === '\r' && this.ch(this.pos) === '\n') this.pos++;
          this.spaceBefore = true;
          continue;
        }
        if (c1 !== '' && isWhitespace(c1)) {
          this.pos += 2;
          this.spaceBefore = true;
          continue;
        }
      }
      break;
    }
    return this.scanToken(mode);
  }

  private scanToken(mode: TokenMode): Token {
    const c = this.ch(this.pos);
    const c1 = this.ch(this.pos + 1);
    const command = mode === 'command';
    if (isNewline(c)) {
      this.pos++;
      if (c === '\r' && this.ch(this.pos) === '\n') this.pos++;
      return this.make('NewLine', { value: '\n' });
    }
    if (isSingleQuote(c)) return this.scanStringLiteral();
    if (isDoubleQuote(c)) return this.scanStringExpandable();
    switch (c) {
      case '@': {
        if (c1 === '{') {
          this.pos += 2;
          return this.make('Punct', { value: '@{' });
        }
        if (c1 === '(') {
          this.pos += 2;
          return this.make('Punct', { value: '@(' });
        }
        if (isSingleQuote(c1) || isDoubleQuote(c1)) return this.scanHereString(isDoubleQuote(c1));
        if (isVariableStartChar(c1) && c1 !== '{' && c1 !== ':') {
          return this.scanVariable(true);
        }
        if (command) return this.scanGeneric(this.pos);
        this.pos++;
        return this.make('Unknown', { error: { id: 'UnrecognizedToken', args: [], extent: { start: this.tokenStart, end: this.pos }, incomplete: false } });
      }
      case '`': {
        return this.scanGeneric(this.pos);
      }
      case '=':
        return this.operatorOrGeneric(command, 1, '=');
      case '+':
        if (c1 === '+') return this.operatorOrGeneric(command, 2, '++');
        if (c1 === '=') return this.operatorOrGeneric(command, 2, '+=');
        return this.operatorOrGeneric(command, 1, '+');
      case '*':
        if (c1 === '=') return this.operatorOrGeneric(command, 2, '*=');
        if (c1 === '>') return this.scanRedirection(0, 1);
        return this.operatorOrGeneric(command, 1, '*');
      case '/':
        if (c1 === '=') return this.operatorOrGeneric(command, 2, '/=');
        return this.operatorOrGeneric(command, 1, '/');
      case '%':
        if (c1 === '=') return this.operatorOrGeneric(command, 2, '%=');
        return this.operatorOrGeneric(command, 1, '%');
      case '$':
        if (c1 === '(') {
          this.pos += 2;
          return this.make('Punct', { value: '$(' });
        }
        return this.scanVariable(false);
      case '<':
        this.pos++;
        return this.make('Redirection', { value: '<', redirection: { from: -1, append: false } });
      case '>':
        return this.scanRedirection(1, 0);
      case '(':
      case ')':
      case ']':
      case '{':
      case '}':
      case ';':
      case ',':
        this.pos++;
        return this.make('Punct', { value: c });
      case '[':
        if (command && !forceStartNewToken(c1)) return this.scanGeneric(this.pos);
        this.pos++;
        return this.make('Punct', { value: '[' });
      case '.':
        return this.scanDot(command);
      case '&':
        if (c1 === '&') {
          this.pos += 2;
          return this.make('Punct', { value: '&&' });
        }
        this.pos++;
        return this.make('Punct', { value: '&' });
      case '|':
        if (c1 === '|') {
          this.pos += 2;
          return this.make('Punct', { value: '||' });
        }
        this.pos++;
        return this.make('Punct', { value: '|' });
      case '!':
        if (command && !forceStartNewToken(c1)) return this.scanGeneric(this.pos);
        this.pos++;
        return this.make('Operator', { value: '!' });
      case ':':
        if (c1 === ':') {
          if (command && !forceStartNewToken(this.ch(this.pos + 2))) return this.scanGeneric(this.pos);
          this.pos += 2;
          return this.make('Punct', { value: '::' });
        }
        if (command) return this.scanLabelOrGeneric();
        this.pos++;
        return this.make('Punct', { value: ':' });
      default:
        break;
    }
    if (isDash(c)) {
      if (isDash(c1)) return this.operatorOrGeneric(command, 2, '--');
      if (c1 === '=') return this.operatorOrGeneric(command, 2, '-=');
      if (isLetter(c1) || c1 === '_' || c1 === '?') return this.scanParameter(command);
      return this.operatorOrGeneric(command, 1, '-');
    }
    if (c >= '1' && c <= '6' && c1 === '>') {
      return this.scanRedirection(Number(c), 1);
    }
    if (isDigit(c)) return this.scanNumber(command);
    if (isIdentifierStart(c)) return this.scanIdentifier(command);
    return this.scanGeneric(this.pos);
  }

  private operatorOrGeneric(command: boolean, len: number, op: string): Token {
    if (command && !forceStartNewToken(this.ch(this.pos + len))) return this.scanGeneric(this.pos);
    this.pos += len;
    return this.make('Operator', { value: op });
  }

  /** `>`, `>>`, `2>`, `2>&1`, `*>`, `*>&1`, `3>>`. `skip` is how many characters precede `>`. */
  private scanRedirection(from: number, skip: number): Token {
    this.pos += skip + 1;
    if (this.ch(this.pos) === '>') {
      this.pos++;
      return this.make('Redirection', { redirection: { from, append: true } });
    }
    if (this.ch(this.pos) === '&') {
      const t = this.ch(this.pos + 1);
      if (t === '1' || t === '2') {
        this.pos += 2;
        return this.make('Redirection', { redirection: { from, toStream: Number(t), append: false } });
      }
    }
    return this.make('Redirection', { redirection: { from, append: false } });
  }

  private scanDot(command: boolean): Token {
    const c1 = this.ch(this.pos + 1);
    if (c1 === '.') {
      const c2 = this.ch(this.pos + 2);
      if (command && !forceStartNewToken(c2)) return this.scanGeneric(this.pos);
      this.pos += 2;
      return this.make('Punct', { value: '..' });
    }
    if (isDigit(c1)) return this.scanNumber(command);
    if (command && !forceStartNewToken(c1) && c1 !== '$' && !isDoubleQuote(c1) && !isSingleQuote(c1)) return this.scanGeneric(this.pos);
    this.pos++;
    return this.make('Punct', { value: '.' });
  }

  private scanLabelOrGeneric(): Token {
    // `:label` before a loop keyword
    let i = this.pos + 1;
    if (!isIdentifierStart(this.ch(i))) return this.scanGeneric(this.pos);
    while (isIdentifierFollow(this.ch(i))) i++;
    if (!forceStartNewToken(this.ch(i))) return this.scanGeneric(this.pos);
    const name = this.text.slice(this.pos + 1, i);
    this.pos = i;
    return this.make('Generic', { value: `:${name}` });
  }

  private scanIdentifier(command: boolean): Token {
    let i = this.pos + 1;
    while (isIdentifierFollow(this.ch(i))) i++;
    if (command && !forceStartNewToken(this.ch(i))) return this.scanGeneric(this.pos);
    const word = this.text.slice(this.pos, i);
    this.pos = i;
    const lower = word.toLowerCase();
    if (command && KEYWORDS.has(lower)) return this.make('Keyword', { value: lower });
    return this.make('Identifier', { value: word });
  }

  private scanParameter(command: boolean): Token {
    // on entry: dash followed by a letter, '_' or '?'
    let i = this.pos + 1;
    let name = '';
    for (;;) {
      const c = this.ch(i);
      if (c === '' || forceStartNewToken(c) || c === ':' || c === '.' || c === '[' || c === '=' || isDoubleQuote(c) || isSingleQuote(c) || c === '$' || c === '`') break;
      if (!command && !isIdentifierFollow(c) && c !== '?') break;
      name += c;
      i++;
    }
    if (!command) {
      const lower = name.toLowerCase();
      if (DASH_OPERATORS.has(lower)) {
        this.pos = i;
        return this.make('Operator', { value: `-${lower}` });
      }
      // Unknown dash word in expression mode: PowerShell reports "Unexpected token".
      this.pos = i;
      return this.make('Parameter', { value: name });
    }
    // command mode: parameter, optionally with a trailing colon
    let colon = false;
    const after = this.ch(i);
    if (after === ':') {
      colon = true;
      i++;
    } else if (after !== '' && !forceStartNewToken(after)) {
      // `-foo.bar`, `-foo=x`, `-foo"x"`: PowerShell scans these as arguments
      return this.scanGeneric(this.pos);
    }
    this.pos = i;
    const lower = name.toLowerCase();
    if (!colon && DASH_OPERATORS.has(lower)) {
      // In command mode an operator word is a parameter to the command (e.g. `-f`), the parser
      // decides; keep the operator form available.
      return this.make('Parameter', { value: name });
    }
    return this.make('Parameter', { value: name, colon });
  }

  private scanNumber(command: boolean): Token {
    const start = this.pos;
    let i = this.pos;
    let hex = false;
    let real = false;
    let digits = '';
    const c0 = this.ch(i);
    const c1 = this.ch(i + 1);
    let notNumber = false;
    if (c0 === '0' && (c1 === 'x' || c1 === 'X')) {
      hex = true;
      i += 2;
      while (isHexDigit(this.ch(i))) {
        digits += this.ch(i);
        i++;
      }
      if (digits === '') notNumber = true;
    } else {
      while (isDigit(this.ch(i))) {
        digits += this.ch(i);
        i++;
      }
      if (this.ch(i) === '.' && this.ch(i + 1) !== '.') {
        real = true;
        digits += '.';
        i++;
        while (isDigit(this.ch(i))) {
          digits += this.ch(i);
          i++;
        }
      }
      const e = this.ch(i);
      if (e === 'e' || e === 'E') {
        const s = this.ch(i + 1);
        let j = i + 1;
        let exp = 'e';
        if (s === '+' || isDash(s)) {
          exp += s === '+' ? '+' : '-';
          j++;
        }
        let expDigits = '';
        while (isDigit(this.ch(j))) {
          expDigits += this.ch(j);
          j++;
        }
        if (expDigits === '') {
          notNumber = true;
          i = j;
        } else {
          real = true;
          digits += exp + expDigits;
          i = j;
        }
      }
      if (digits === '' || digits === '.') notNumber = true;
    }
    let suffix = '';
    const s = this.ch(i).toLowerCase();
    if (s === 'l' || s === 'd') {
      suffix = s;
      i++;
    }
    let multiplier = 1;
    const m = this.text.slice(i, i + 2).toLowerCase();
    if (i + 2 <= this.limit && (m === 'kb' || m === 'mb' || m === 'gb' || m === 'tb' || m === 'pb')) {
      multiplier = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 }[m];
      i += 2;
    }
    const next = this.ch(i);
    if (notNumber || (next !== '' && !forceStartNewToken(next) && !forceStartNewTokenAfterNumber(next))) {
      if (command) return this.scanGeneric(start);
      // expression mode: PowerShell reports "Unexpected token"; scan the bad word whole
      let j = i;
      while (j < this.limit && !forceStartNewToken(this.ch(j)) && !forceStartNewTokenAfterNumber(this.ch(j))) j++;
      this.pos = j;
      return this.make('Unknown', { error: { id: 'UnexpectedToken', args: [this.text.slice(start, j)], extent: { start, end: j }, incomplete: false } });
    }
    if (command && next !== '' && !forceStartNewToken(next)) {
      // In command mode `7+` or `1.5.2` is one argument.
      return this.scanGeneric(start);
    }
    this.pos = i;
    let value: number;
    let numType: NumberType;
    if (hex) {
      const big = BigInt('0x' + digits);
      if (suffix === 'l' || big > 0xffffffffn) {
        value = Number(big > 0x7fffffffffffffffn ? big - 0x10000000000000000n : big);
        numType = 'Int64';
      } else {
        // 0x80000000..0xFFFFFFFF are negative Int32 values in PowerShell 5.1
        value = Number(big > 0x7fffffffn ? big - 0x100000000n : big);
        numType = 'Int32';
      }
    } else {
      value = Number(digits);
      if (suffix === 'd') numType = 'Decimal';
      else if (real) numType = 'Double';
      else if (suffix === 'l' || Math.abs(value) > 2147483647) numType = Math.abs(value) >= 2 ** 63 ? 'Double' : 'Int64';
      else numType = 'Int32';
    }
    value *= multiplier;
    if (numType === 'Int32' && Math.abs(value) > 2147483647) numType = 'Int64';
    return this.make('Number', { num: value, numType });
  }

  private scanVariable(splatted: boolean): Token {
    // this.pos at '$' (or the char after '@' for splatting)
    const start = this.pos;
    let i = this.pos + 1;
    const c = this.ch(i);
    if (c === '{') {
      // ${any text}, with `} escaped by backtick
      let name = '';
      i++;
      for (;;) {
        const d = this.ch(i);
        if (d === '') {
          this.pos = i;
          return this.make('Variable', {
            value: name,
            braced: true,
            error: { id: 'IncompleteDollarVariableReference', args: [], extent: { start: this.tokenStart, end: this.tokenStart + 2 }, incomplete: true },
          });
        }
        if (d === '}') {
          i++;
          break;
        }
        if (d === '`' && this.ch(i + 1) !== '') {
          name += backtickChar(this.ch(i + 1));
          i += 2;
          continue;
        }
        name += d;
        i++;
      }
      this.pos = i;
      const { scope, rest } = splitScope(name);
      return this.make(splatted ? 'SplattedVariable' : 'Variable', { value: rest, braced: true, ...(scope !== undefined ? { scope } : {}) });
    }
    if (c === '$' || c === '?' || c === '^') {
      this.pos = i + 1;
      return this.make(splatted ? 'SplattedVariable' : 'Variable', { value: c });
    }
    let name = '';
    while (i < this.limit) {
      const d = this.ch(i);
      if (isIdentifierFollow(d)) {
        name += d;
        i++;
        continue;
      }
      if (d === '?') {
        name += d;
        i++;
        continue;
      }
      if (d === ':') {
        // scope/drive qualifier: `$env:PATH`, `$script:x`; `::` ends the name (static member)
        if (this.ch(i + 1) === ':') break;
        if (name === '' || name.includes(':')) break;
        const nx = this.ch(i + 1);
        if (!(isIdentifierFollow(nx) || nx === '?' || nx === '{')) {
          // `$x:` followed by nothing usable
          break;
        }
        name += d;
        i++;
        continue;
      }
      break;
    }
    if (name === '') {
      this.pos = start + 1;
      // a lone `$`: an argument in command mode, an error in expression mode (the parser decides)
      return this.make('Unknown', {
        value: '$',
        error: { id: 'InvalidVariableReference', args: [], extent: { start: this.tokenStart, end: this.pos }, incomplete: false },
      });
    }
    this.pos = i;
    const { scope, rest } = splitScope(name);
    return this.make(splatted ? 'SplattedVariable' : 'Variable', { value: rest, ...(scope !== undefined ? { scope } : {}) });
  }

  private scanStringLiteral(): Token {
    let i = this.pos + 1;
    let value = '';
    for (;;) {
      const c = this.ch(i);
      if (c === '') {
        this.pos = i;
        return this.make('StringLiteral', {
          value,
          error: { id: 'TerminatorExpectedAtEndOfString', args: ["'"], extent: { start: this.tokenStart, end: this.pos }, incomplete: true },
        });
      }
      if (isSingleQuote(c)) {
        if (isSingleQuote(this.ch(i + 1))) {
          value += c;
          i += 2;
          continue;
        }
        i++;
        break;
      }
      value += c;
      i++;
    }
    this.pos = i;
    return this.make('StringLiteral', { value });
  }

  /** Scan a double-quoted string; `value` is the raw content (expanded later by the parser). */
  private scanStringExpandable(): Token {
    const end = this.skipExpandableBody(this.pos + 1, (c, i) => isDoubleQuote(c) && !isDoubleQuote(this.ch(i + 1)));
    if (end < 0) {
      this.pos = this.limit;
      return this.make('StringExpandable', {
        value: this.text.slice(this.tokenStart + 1, this.limit),
        expandable: true,
        error: { id: 'TerminatorExpectedAtEndOfString', args: ['"'], extent: { start: this.tokenStart, end: this.pos }, incomplete: true },
      });
    }
    this.pos = end + 1;
    return this.make('StringExpandable', { value: this.text.slice(this.tokenStart + 1, end), expandable: true });
  }

  /**
   * Walk an expandable body from `i`; returns the index of the terminating character (for which
   * `isEnd` is true), or -1 at end of input. Skips `"" `x $(...) ${...}` correctly.
   */
  private skipExpandableBody(i: number, isEnd: (c: string, i: number) => boolean): number {
    for (;;) {
      const c = this.ch(i);
      if (c === '') return -1;
      if (c === '`') {
        i += this.ch(i + 1) === '' ? 1 : 2;
        continue;
      }
      if (isEnd(c, i)) return i;
      if (isDoubleQuote(c)) {
        // `""` inside a double-quoted string
        i += 2;
        continue;
      }
      if (c === '$') {
        const c1 = this.ch(i + 1);
        if (c1 === '(') {
          const close = skipSubExpression(this.text, i + 2, this.limit);
          if (close < 0) return -1;
          i = close + 1;
          continue;
        }
        if (c1 === '{') {
          let j = i + 2;
          while (j < this.limit && this.ch(j) !== '}') j += this.ch(j) === '`' ? 2 : 1;
          if (j >= this.limit) return -1;
          i = j + 1;
          continue;
        }
      }
      i++;
    }
  }

  private scanHereString(expandable: boolean): Token {
    // @' or @" then optional whitespace, then a newline
    let i = this.pos + 2;
    while (isWhitespace(this.ch(i))) i++;
    const quote = expandable ? '"' : "'";
    const nl = this.ch(i);
    if (!isNewline(nl)) {
      this.pos = i;
      return this.make(expandable ? 'StringExpandable' : 'StringLiteral', {
        value: '',
        hereString: true,
        expandable,
        error: { id: 'UnexpectedCharactersAfterHereStringHeader', args: [], extent: { start: this.tokenStart + 2, end: this.tokenStart + 2 }, incomplete: false },
      });
    }
    i++;
    if (nl === '\r' && this.ch(i) === '\n') i++;
    const contentStart = i;
    // find a line that begins with the closing quote followed by @
    let lineStart = i;
    for (;;) {
      if (lineStart >= this.limit) {
        this.pos = this.limit;
        return this.make(expandable ? 'StringExpandable' : 'StringLiteral', {
          value: this.text.slice(contentStart, this.limit),
          hereString: true,
          expandable,
          error: { id: 'TerminatorExpectedAtEndOfString', args: [`${quote}@`], extent: { start: this.tokenStart, end: this.tokenStart + 2 }, incomplete: true },
        });
      }
      const q = this.ch(lineStart);
      if ((expandable ? isDoubleQuote(q) : isSingleQuote(q)) && this.ch(lineStart + 1) === '@') {
        // content excludes the newline before the footer
        let contentEnd = lineStart;
        if (contentEnd > contentStart && this.ch(contentEnd - 1) === '\n') contentEnd--;
        if (contentEnd > contentStart && this.ch(contentEnd - 1) === '\r') contentEnd--;
        if (lineStart === contentStart) contentEnd = contentStart;
        this.pos = lineStart + 2;
        return this.make(expandable ? 'StringExpandable' : 'StringLiteral', {
          value: this.text.slice(contentStart, Math.max(contentStart, contentEnd)),
          hereString: true,
          expandable,
        });
      }
      // next line
      let j = lineStart;
      while (j < this.limit && !isNewline(this.ch(j))) j++;
      if (j >= this.limit) {
        lineStart = this.limit;
        continue;
      }
      j++;
      if (this.ch(j - 1) === '\r' && this.ch(j) === '\n') j++;
      lineStart = j;
    }
  }

  /** A bareword argument starting at `start` (command mode). */
  private scanGeneric(start: number): Token {
    let i = start;
    let value = '';
    let expandable = false;
    for (;;) {
      const c = this.ch(i);
      if (c === '' || forceStartNewToken(c)) break;
      if (c === '`') {
        const c1 = this.ch(i + 1);
        if (c1 === '') {
          value += c;
          i++;
          continue;
        }
        value += backtickChar(c1);
        i += 2;
        continue;
      }
      if (isSingleQuote(c)) {
        // 'quoted' part inside a bareword: taken literally, quotes removed
        let j = i + 1;
        while (j < this.limit && !(isSingleQuote(this.ch(j)) && !isSingleQuote(this.ch(j + 1)))) {
          if (isSingleQuote(this.ch(j))) {
            value += this.ch(j);
            j += 2;
            continue;
          }
          value += this.ch(j);
          j++;
        }
        i = j + 1;
        expandable = expandable || false;
        continue;
      }
      if (isDoubleQuote(c)) {
        const end = this.skipExpandableBody(i + 1, (d, k) => isDoubleQuote(d) && !isDoubleQuote(this.ch(k + 1)));
        const stop = end < 0 ? this.limit : end;
        value += this.text.slice(i, Math.min(stop + 1, this.limit));
        expandable = true;
        i = stop + 1;
        continue;
      }
      if (c === '$') {
        const c1 = this.ch(i + 1);
        if (c1 === '(') {
          const close = skipSubExpression(this.text, i + 2, this.limit);
          const stop = close < 0 ? this.limit : close + 1;
          value += this.text.slice(i, stop);
          expandable = true;
          i = stop;
          continue;
        }
        if (c1 === '{' || isVariableStartChar(c1)) expandable = true;
      }
      value += c;
      i++;
    }
    this.pos = i;
    // Keep the raw text for expandable barewords: the parser expands it as a string.
    return this.make('Generic', { value: expandable ? this.text.slice(start, i) : value, expandable });
  }
}

function isVariableStartChar(c: string): boolean {
  return c !== '' && (isIdentifierFollow(c) || c === '?' || c === '$' || c === '^' || c === '{' || c === ':');
}

function splitScope(name: string): { scope?: string; rest: string } {
  const i = name.indexOf(':');
  if (i <= 0) return { rest: name };
  return { scope: name.slice(0, i).toLowerCase(), rest: name.slice(i + 1) };
}

/**
 * From just after `$(`, the index of the matching `)`, or -1. Strings, here-strings, comments
 * and nested parentheses/braces are skipped.
 */
let subExpressionNesting = 0;
/** Deepest `$( "…$( … )…" )` nesting the tokenizer follows (deeper input is reported as unterminated). */
export const MAX_SUBEXPRESSION_NESTING = 64;

export function skipSubExpression(text: string, start: number, limit: number = text.length): number {
  if (subExpressionNesting >= MAX_SUBEXPRESSION_NESTING) return -1;
  subExpressionNesting++;
  try {
    return skipSubExpressionInner(text, start, limit);
  } finally {
    subExpressionNesting--;
  }
}

function skipSubExpressionInner(text: string, start: number, limit: number): number {
  let depth = 1;
  let i = start;
  const tk = new Tokenizer(text, limit);
  const mode: TokenMode = 'command';
  let guard = 0;
  while (i < limit) {
    if (++guard > limit * 4 + 16) return -1;
    const t = tk.scan(i, mode);
    if (t.kind === 'EOF') return -1;
    if (t.error !== undefined && t.error.incomplete) return -1;
    if (t.kind === 'Punct') {
      if (t.value === '(' || t.value === '$(' || t.value === '@(' || t.value === '{' || t.value === '@{') depth++;
      else if (t.value === ')' || t.value === '}') {
        depth--;
        if (depth === 0) return t.start;
      }
    }
    i = Math.max(t.end, i + 1);
  }
  return -1;
}

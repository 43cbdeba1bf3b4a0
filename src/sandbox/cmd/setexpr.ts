// `set /a`: cmd's 32-bit integer expressions (`set /?`): ( ) ! ~ - unary, * / %, + -, << >>,
// &, ^, |, assignments = *= /= %= += -= &= ^= |= <<= >>=, and `,` separating expressions.
// Names are environment variables (undefined or non-numeric: 0).

export class SetExprError extends Error {
  constructor(
    message: string,
    readonly errorlevel: number,
  ) {
    super(message);
  }
}

const MISSING_OPERAND = (): SetExprError => new SetExprError('Missing operand.', 1073750988);
const MISSING_OPERATOR = (): SetExprError => new SetExprError('Missing operator.', 1073750989);
const UNBALANCED = (): SetExprError => new SetExprError('Unbalanced parenthesis.', 1073750990);
const DIVIDE_BY_ZERO = (): SetExprError => new SetExprError('Divide by zero error.', 1073750993);
const INVALID_NUMBER = (): SetExprError =>
  new SetExprError('Invalid number.  Numeric constants are either decimal (17),\r\nhexadecimal (0x11), or octal (021).', 1073750992);

type Tok = { t: 'num'; v: number } | { t: 'name'; v: string } | { t: 'op'; v: string };

const OPS = ['<<=', '>>=', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '<<', '>>', '(', ')', '!', '~', '-', '*', '/', '%', '+', '&', '^', '|', '=', ','];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op !== undefined) {
      out.push({ t: 'op', v: op });
      i += op.length;
      continue;
    }
    let j = i;
    while (j < src.length && !/\s/.test(src[j] ?? '') && OPS.find((o) => src.startsWith(o, j)) === undefined) j++;
    const word = src.slice(i, j);
    i = j;
    if (/^[0-9]/.test(word)) out.push({ t: 'num', v: parseNumber(word) });
    else out.push({ t: 'name', v: word });
  }
  return out;
}

function parseNumber(word: string): number {
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(word)) v = Number.parseInt(word.slice(2), 16);
  else if (/^0[0-7]*$/.test(word)) v = word.length > 1 ? Number.parseInt(word.slice(1), 8) : 0;
  else if (/^[1-9][0-9]*$/.test(word)) v = Number(word);
  else throw INVALID_NUMBER();
  // Out-of-range constants are refused like invalid ones.
  if (v > 0xffffffff) throw INVALID_NUMBER();
  return v | 0;
}

/** Value of a variable inside an expression: its leading number, or 0. */
function variableValue(value: string | undefined): number {
  if (value === undefined) return 0;
  const m = /^\s*([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)/i.exec(value);
  if (m === null) return 0;
  try {
    const n = parseNumber(m[2] ?? '0');
    return m[1] === '-' ? -n | 0 : n;
  } catch {
    return 0;
  }
}

export interface SetExprEnv {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

/** Evaluate an expression; returns the value of the last one (what `set /a` prints). */
export function evaluateSetExpression(src: string, env: SetExprEnv): number {
  const toks = tokenize(src.replace(/"/g, ''));
  if (toks.length === 0) throw new SetExprError('The syntax of the command is incorrect.', 1);
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];
  const isOp = (v: string): boolean => {
    const t = peek();
    return t !== undefined && t.t === 'op' && t.v === v;
  };
  let depth = 0;

  const binary = (ops: readonly string[], next: () => number, apply: (op: string, a: number, b: number) => number): (() => number) => {
    return () => {
      let left = next();
      for (;;) {
        const t = peek();
        if (t === undefined || t.t !== 'op' || !ops.includes(t.v)) return left;
        pos++;
        left = apply(t.v, left, next());
      }
    };
  };

  const arith = (op: string, a: number, b: number): number => {
    switch (op) {
      case '*':
        return Math.imul(a, b);
      case '/':
        if (b === 0) throw DIVIDE_BY_ZERO();
        return Math.trunc(a / b) | 0;
      case '%':
        if (b === 0) throw DIVIDE_BY_ZERO();
        return a % b | 0;
      case '+':
        return (a + b) | 0;
      case '-':
        return (a - b) | 0;
      case '<<':
        return b >= 32 || b < 0 ? 0 : a << b;
      case '>>':
        return a >> Math.min(31, Math.max(0, b));
      case '&':
        return a & b;
      case '^':
        return a ^ b;
      case '|':
        return a | b;
      default:
        throw MISSING_OPERATOR();
    }
  };

  let nesting = 0;
  const unary = (): number => {
    // cmd has its own stack limit; deep nesting here is refused instead of overflowing ours.
    if (++nesting > 256) throw new SetExprError('The syntax of the command is incorrect.', 1);
    try {
      return unaryInner();
    } finally {
      nesting--;
    }
  };
  const unaryInner = (): number => {
    const t = peek();
    if (t === undefined) throw MISSING_OPERAND();
    if (t.t === 'op') {
      if (t.v === '!' || t.v === '~' || t.v === '-' || t.v === '+') {
        pos++;
        const v = unary();
        return t.v === '!' ? (v === 0 ? 1 : 0) : t.v === '~' ? ~v : t.v === '-' ? -v | 0 : v;
      }
      if (t.v === '(') {
        pos++;
        depth++;
        const v = comma();
        if (!isOp(')')) throw UNBALANCED();
        pos++;
        depth--;
        return v;
      }
      throw MISSING_OPERAND();
    }
    pos++;
    if (t.t === 'num') return t.v;
    return variableValue(env.get(t.v));
  };
  const mul = binary(['*', '/', '%'], unary, arith);
  const add = binary(['+', '-'], mul, arith);
  const shift = binary(['<<', '>>'], add, arith);
  const band = binary(['&'], shift, arith);
  const bxor = binary(['^'], band, arith);
  const bor = binary(['|'], bxor, arith);

  const assign = (): number => {
    const t = peek();
    const n = toks[pos + 1];
    if (t?.t === 'name' && n?.t === 'op' && ['=', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '<<=', '>>='].includes(n.v)) {
      pos += 2;
      const rhs = assign();
      const value = n.v === '=' ? rhs : arith(n.v.slice(0, -1), variableValue(env.get(t.v)), rhs);
      env.set(t.v, String(value));
      return value;
    }
    return bor();
  };

  const comma = (): number => {
    let v = assign();
    while (isOp(',')) {
      pos++;
      v = assign();
    }
    return v;
  };

  const value = comma();
  if (pos < toks.length) {
    const t = peek();
    if (t?.t === 'op' && t.v === ')') throw UNBALANCED();
    throw MISSING_OPERATOR();
  }
  if (depth !== 0) throw UNBALANCED();
  return value;
}

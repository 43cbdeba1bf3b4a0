// A recursive-descent parser for the supported PowerShell subset, after the grammar in the
// PowerShell Language Specification 3.0 (chapter 8) and about_Parsing / about_Operators /
// about_Operator_Precedence. Errors use the ids, texts and extents of Windows PowerShell 5.1's
// parser (see errors.ts); a missing closing brace is "incomplete input", which the stdin mode
// uses to keep reading.
import type * as A from './ast.js';
import { ParseError, ParserStrings, formatString, type ParseErrorInfo, type ParserErrorId } from './errors.js';
import { after, ScriptSource, type Extent } from './position.js';
import {
  backtickChar,
  forceStartNewToken,
  isDoubleQuote,
  isIdentifierFollow,
  isIdentifierStart,
  isSingleQuote,
  skipSubExpression,
  Tokenizer,
  type Token,
  type TokenMode,
} from './tokenizer.js';

/** Binary operator precedence (PowerShell's TokenFlags.BinaryPrecedence*). */
function binaryPrecedence(op: string): number {
  switch (op) {
    case '-and':
    case '-or':
    case '-xor':
      return 1;
    case '-band':
    case '-bor':
    case '-bxor':
      return 2;
    case '+':
    case '-':
      return 4;
    case '*':
    case '/':
    case '%':
      return 5;
    case '-f':
      return 6;
    case '..':
      return 7;
    default:
      return 3; // comparison, -replace, -split, -join, -is, -isnot, -as, -shl, -shr
  }
}

const ASSIGNMENT_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=']);
const LOOP_KEYWORDS = new Set(['while', 'do', 'for', 'foreach', 'switch']);

class Abort extends Error {}

export interface ParseOptions {
  /** Offsets [start, end) of a sub-range (used for `$( )` inside strings). */
  readonly start?: number;
  readonly end?: number;
}

export class Parser {
  private readonly tk: Tokenizer;
  private pos: number;
  private readonly end: number;
  readonly errors: ParseErrorInfo[];
  private la: { token: Token; mode: TokenMode; pos: number } | undefined;
  /** Depth guard against pathological nesting (stack overflow on hostile input). */
  private depth = 0;

  constructor(
    readonly source: ScriptSource,
    opts: ParseOptions = {},
    errors?: ParseErrorInfo[],
    depth = 0,
  ) {
    this.depth = depth;
    this.end = opts.end ?? source.text.length;
    this.pos = opts.start ?? 0;
    this.tk = new Tokenizer(source.text, this.end);
    this.errors = errors ?? [];
  }

  // ---- token plumbing ------------------------------------------------------------------

  private peek(mode: TokenMode): Token {
    const la = this.la;
    if (la !== undefined && la.mode === mode && la.pos === this.pos) return la.token;
    const token = this.tk.scan(this.pos, mode);
    this.la = { token, mode, pos: this.pos };
    return token;
  }

  private next(mode: TokenMode): Token {
    const t = this.peek(mode);
    this.pos = t.end;
    this.la = undefined;
    if (t.error !== undefined) {
      this.report(t.error.id as ParserErrorId, t.error.extent, t.error.args, t.error.incomplete);
      if (!t.error.incomplete || t.kind === 'Unknown') throw new Abort();
    }
    return t;
  }

  private report(id: ParserErrorId, extent: Extent, args: readonly string[] = [], incomplete = false): void {
    if (this.errors.some((e) => e.id === id && e.extent.start === extent.start)) return;
    this.errors.push({ id, message: formatString(ParserStrings[id], args), extent, incomplete });
  }

  private fail(id: ParserErrorId, extent: Extent, args: readonly string[] = [], incomplete = false): never {
    this.report(id, extent, args, incomplete);
    throw new Abort();
  }

  private isPunct(t: Token, v: string): boolean {
    return t.kind === 'Punct' && t.value === v;
  }

  private skipNewlines(mode: TokenMode = 'expression'): void {
    for (;;) {
      const t = this.peek(mode);
      if (t.kind !== 'NewLine') return;
      this.next(mode);
    }
  }

  /** End offset of the last consumed token (for `After(...)` extents). */
  private lastEnd(): number {
    return this.pos;
  }

  private enter(): void {
    if (++this.depth > 200) {
      const t = this.peek('expression');
      this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
    }
  }
  private leave(): void {
    this.depth--;
  }

  // ---- entry points --------------------------------------------------------------------

  /** Parse a whole script; throws ParseError when there are syntax errors. */
  parseScript(): A.ScriptBlockAst {
    let block: A.ScriptBlockAst | undefined;
    try {
      block = this.scriptBlockBody(undefined, this.pos);
      const t = this.peek('command');
      if (t.kind !== 'EOF') {
        this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
      }
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
    }
    if (this.errors.length > 0 || block === undefined) throw new ParseError(this.source, this.errors.length > 0 ? this.errors : [{ id: 'UnexpectedToken', message: 'parse failed', extent: { start: 0, end: 0 }, incomplete: false }]);
    return block;
  }

  /** Statements of a `$( )` sub-range. */
  parseStatementsInRange(): A.StatementAst[] {
    return this.statementList(undefined);
  }

  // ---- script blocks -------------------------------------------------------------------

  /**
   * The inside of a script block: [attributes] param(...), then named blocks or statements,
   * until `}` (when `lCurly` is given) or the end of input.
   */
  private scriptBlockBody(lCurly: Token | undefined, start: number): A.ScriptBlockAst {
    this.enter();
    try {
      let paramBlock: A.ParamBlockAst | undefined;
      let cmdletBinding = false;
      // attributes and param block
      this.skipSeparators();
      const save = this.pos;
      const attrs: { name: string; args: string }[] = [];
      for (;;) {
        const t = this.peek('expression');
        if (!this.isPunct(t, '[')) break;
        const attr = this.tryAttribute();
        if (attr === undefined) break;
        attrs.push(attr);
        this.skipNewlines();
      }
      const pt = this.peek('command');
      if (pt.kind === 'Keyword' && pt.value === 'param') {
        this.next('command');
        paramBlock = this.paramBlock(pt);
        cmdletBinding = attrs.some((a) => /^cmdletbinding$/i.test(a.name));
      } else {
        // not a param block: the brackets were a type/expression, re-parse them as statements
        this.pos = save;
        this.la = undefined;
      }
      this.skipSeparators();
      const t = this.peek('command');
      let begin: A.StatementAst[] | undefined;
      let process: A.StatementAst[] | undefined;
      let endBlock: A.StatementAst[] | undefined;
      let unnamed = true;
      if (t.kind === 'Keyword' && (t.value === 'begin' || t.value === 'process' || t.value === 'end' || t.value === 'dynamicparam')) {
        unnamed = false;
        for (;;) {
          this.skipSeparators();
          const k = this.peek('command');
          if (k.kind !== 'Keyword' || !['begin', 'process', 'end', 'dynamicparam'].includes(k.value)) break;
          this.next('command');
          this.skipNewlines('command');
          const lc = this.peek('command');
          if (!this.isPunct(lc, '{')) this.fail('MissingNameAfterKeyword', after({ start: k.start, end: k.end }), [k.value]);
          this.next('command');
          const body = this.statementList(lc);
          if (k.value === 'begin') begin = body;
          else if (k.value === 'process') process = body;
          else if (k.value === 'end') endBlock = body;
        }
      } else {
        endBlock = this.statementList(lCurly);
      }
      if (lCurly !== undefined && !unnamed) {
        this.closeCurly(lCurly);
      }
      return {
        kind: 'ScriptBlock',
        extent: { start, end: this.lastEnd() },
        paramBlock,
        begin,
        process,
        end: endBlock,
        unnamed,
        cmdletBinding,
      };
    } finally {
      this.leave();
    }
  }

  private skipSeparators(): void {
    for (;;) {
      const t = this.peek('command');
      if (t.kind === 'NewLine' || this.isPunct(t, ';')) {
        this.next('command');
        continue;
      }
      return;
    }
  }

  /** Consume the `}` that closes `lCurly`, or report MissingEndCurlyBrace (incomplete input). */
  private closeCurly(lCurly: Token): void {
    this.skipSeparators();
    const t = this.peek('command');
    if (this.isPunct(t, '}')) {
      this.next('command');
      return;
    }
    if (t.kind === 'EOF') {
      this.report('MissingEndCurlyBrace', { start: lCurly.start, end: lCurly.end }, [], true);
      return;
    }
    this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
  }

  /** `[Name(args)]` attribute; returns undefined (and consumes nothing) if it is a type literal. */
  private tryAttribute(): { name: string; args: string } | undefined {
    const save = this.pos;
    const lb = this.next('expression');
    const name = this.typeNameText(lb, true);
    // `[int]("5")` is a cast of a parenthesised expression: the `]` closed a type literal.
    const closed = this.source.text[this.pos - 1] === ']';
    const t = this.peek('expression');
    if (!closed && this.isPunct(t, '(') && !t.spaceBefore) {
      // attribute arguments: skip balanced parentheses
      const open = this.next('expression');
      const close = skipSubExpression(this.source.text, open.end, this.end);
      if (close < 0) this.fail('MissingEndParenthesisInExpression', after({ start: open.start, end: open.end }), [], true);
      const args = this.source.text.slice(open.end, close);
      this.pos = close + 1;
      this.la = undefined;
      const rb = this.peek('expression');
      if (!this.isPunct(rb, ']')) this.fail('EndSquareBracketExpectedAtEndOfAttribute', { start: rb.start, end: rb.start });
      this.next('expression');
      return { name: name.name, args };
    }
    // `[Name]` with no parentheses is a type constraint, not an attribute
    this.pos = save;
    this.la = undefined;
    return undefined;
  }

  private paramBlock(paramToken: Token): A.ParamBlockAst {
    this.skipNewlines();
    const lp = this.peek('expression');
    if (!this.isPunct(lp, '(')) this.fail('MissingOpenParenthesisAfterKeyword', after({ start: paramToken.start, end: paramToken.end }), ['param']);
    this.next('expression');
    const parameters = this.parameterList(lp);
    return { kind: 'ParamBlock', extent: { start: paramToken.start, end: this.lastEnd() }, parameters };
  }

  /** Parameters up to the closing `)` (after `param(` or `function f(`). */
  private parameterList(lParen: Token): A.ParameterAst[] {
    const params: A.ParameterAst[] = [];
    let position = 0;
    for (;;) {
      this.skipNewlines();
      const t = this.peek('expression');
      if (this.isPunct(t, ')')) {
        this.next('expression');
        break;
      }
      if (t.kind === 'EOF') this.fail('MissingEndParenthesisInFunctionParameterList', after({ start: lParen.start, end: lParen.end }), [], true);
      const p = this.parameter(position);
      params.push(p);
      position++;
      this.skipNewlines();
      const sep = this.peek('expression');
      if (this.isPunct(sep, ',')) {
        this.next('expression');
        continue;
      }
      if (this.isPunct(sep, ')')) {
        this.next('expression');
        break;
      }
      if (sep.kind === 'EOF') this.fail('MissingEndParenthesisInFunctionParameterList', after({ start: lParen.start, end: lParen.end }), [], true);
      this.fail('MissingEndParenthesisInFunctionParameterList', { start: sep.start, end: sep.start });
    }
    return params;
  }

  private parameter(defaultPosition: number): A.ParameterAst {
    const start = this.peek('expression').start;
    let typeName: string | undefined;
    let mandatory = false;
    let position: number | undefined;
    let valueFromPipeline = false;
    let valueFromPipelineByPropertyName = false;
    const aliases: string[] = [];
    let validateSet: string[] | undefined;
    let explicitPositions = false;
    for (;;) {
      this.skipNewlines();
      const t = this.peek('expression');
      if (!this.isPunct(t, '[')) break;
      const lb = this.next('expression');
      const tn = this.typeNameText(lb, true);
      const nx = this.peek('expression');
      if (this.isPunct(nx, '(') && !nx.spaceBefore) {
        const open = this.next('expression');
        const close = skipSubExpression(this.source.text, open.end, this.end);
        if (close < 0) this.fail('MissingEndParenthesisInExpression', after({ start: open.start, end: open.end }), [], true);
        const argText = this.source.text.slice(open.end, close);
        this.pos = close + 1;
        this.la = undefined;
        const rb = this.peek('expression');
        if (!this.isPunct(rb, ']')) this.fail('EndSquareBracketExpectedAtEndOfAttribute', { start: rb.start, end: rb.start });
        this.next('expression');
        const an = tn.name.toLowerCase();
        if (an === 'parameter') {
          for (const part of argText.split(',')) {
            const m = /^\s*(\w+)\s*(?:=\s*(.+?))?\s*$/s.exec(part);
            if (m === null) continue;
            const key = (m[1] ?? '').toLowerCase();
            const val = (m[2] ?? '$true').trim().toLowerCase();
            const truthy = val !== '$false' && val !== '0';
            if (key === 'mandatory') mandatory = truthy;
            else if (key === 'position') {
              const n = Number(val);
              if (Number.isFinite(n)) {
                position = n;
                explicitPositions = true;
              }
            } else if (key === 'valuefrompipeline') valueFromPipeline = truthy;
            else if (key === 'valuefrompipelinebypropertyname') valueFromPipelineByPropertyName = truthy;
          }
        } else if (an === 'alias') {
          for (const m of argText.matchAll(/'([^']*)'|"([^"]*)"/g)) aliases.push(m[1] ?? m[2] ?? '');
        } else if (an === 'validateset') {
          validateSet = [];
          for (const m of argText.matchAll(/'([^']*)'|"([^"]*)"/g)) validateSet.push(m[1] ?? m[2] ?? '');
        }
        continue;
      }
      typeName = tn.name;
    }
    this.skipNewlines();
    const v = this.peek('expression');
    if (v.kind !== 'Variable') this.fail('MissingEndParenthesisInFunctionParameterList', { start: v.start, end: v.start });
    this.next('expression');
    let defaultValue: A.ExpressionAst | undefined;
    const eq = this.peek('expression');
    if (eq.kind === 'Operator' && eq.value === '=') {
      this.next('expression');
      this.skipNewlines();
      defaultValue = this.binaryNoComma();
    }
    void explicitPositions;
    return {
      kind: 'Parameter',
      extent: { start, end: this.lastEnd() },
      name: v.value,
      typeName,
      defaultValue,
      mandatory,
      position: position ?? (typeName !== undefined && /^switch$/i.test(typeName) ? undefined : defaultPosition),
      valueFromPipeline,
      valueFromPipelineByPropertyName,
      aliases,
      validateSet,
    };
  }

  // ---- statements ----------------------------------------------------------------------

  /** Statements until `}` (if lCurly given; consumed) or end of input / `)`. */
  private statementList(lCurly: Token | undefined, closer = '}'): A.StatementAst[] {
    const out: A.StatementAst[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek('command');
      if (t.kind === 'EOF') {
        if (lCurly !== undefined) this.report('MissingEndCurlyBrace', { start: lCurly.start, end: lCurly.end }, [], true);
        return out;
      }
      if (this.isPunct(t, closer) || this.isPunct(t, ')') || this.isPunct(t, '}')) {
        if (lCurly !== undefined && this.isPunct(t, '}')) {
          this.next('command');
          return out;
        }
        if (lCurly === undefined) {
          if (this.isPunct(t, '}') || this.isPunct(t, ')')) {
            // a stray closer at top level
            if (closer === 'EOF') this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
          }
          return out;
        }
        this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
      }
      const s = this.statement();
      if (s !== undefined) out.push(s);
      const sep = this.peek('command');
      if (sep.kind === 'Punct' && (sep.value === '&&' || sep.value === '||')) {
        this.fail('InvalidEndOfLine', { start: sep.start, end: sep.end }, [sep.value]);
      }
      if (!(sep.kind === 'NewLine' || sep.kind === 'EOF' || this.isPunct(sep, ';') || this.isPunct(sep, '}') || this.isPunct(sep, ')'))) {
        this.fail('UnexpectedToken', { start: sep.start, end: sep.end }, [sep.text]);
      }
    }
  }

  private statement(): A.StatementAst | undefined {
    this.enter();
    try {
      const t = this.peek('command');
      let label: string | undefined;
      if (t.kind === 'Generic' && t.value.startsWith(':') && t.value.length > 1) {
        const save = this.pos;
        this.next('command');
        this.skipNewlines('command');
        const k = this.peek('command');
        if (k.kind === 'Keyword' && LOOP_KEYWORDS.has(k.value)) {
          label = t.value.slice(1);
        } else {
          this.pos = save;
          this.la = undefined;
        }
      }
      const k = this.peek('command');
      if (k.kind === 'Keyword') {
        switch (k.value) {
          case 'if':
            return this.ifStatement();
          case 'while':
            return this.whileStatement(label);
          case 'do':
            return this.doStatement(label);
          case 'for':
            return this.forStatement(label);
          case 'foreach':
            return this.foreachStatement(label);
          case 'switch':
            return this.switchStatement(label);
          case 'try':
            return this.tryStatement();
          case 'trap':
            return this.trapStatement();
          case 'function':
          case 'filter':
          case 'workflow':
            return this.functionDefinition();
          case 'break':
          case 'continue':
            return this.breakContinue();
          case 'return':
          case 'exit':
          case 'throw':
            return this.flowWithValue();
          case 'data':
          case 'parallel':
          case 'sequence':
          case 'inlinescript': {
            const kw = this.next('command');
            this.skipNewlines('command');
            const lc = this.peek('command');
            if (!this.isPunct(lc, '{')) this.fail('MissingStatementBlockForDataSection', after({ start: kw.start, end: kw.end }));
            this.next('command');
            const body = this.statementList(lc);
            return { kind: 'BlockStatement', extent: { start: kw.start, end: this.lastEnd() }, body };
          }
          case 'param':
          case 'begin':
          case 'process':
          case 'end':
          case 'dynamicparam':
          case 'else':
          case 'elseif':
          case 'catch':
          case 'finally':
          case 'until':
          case 'in':
          case 'class':
          case 'enum':
          case 'using':
          case 'configuration':
          case 'define':
          case 'from':
          case 'var':
          case 'static':
          case 'hidden':
            this.fail('UnexpectedToken', { start: k.start, end: k.end }, [k.text]);
          // eslint-disable-next-line no-fallthrough
          default:
            break;
        }
      }
      return this.pipelineStatement();
    } finally {
      this.leave();
    }
  }

  private block(afterTokenExtent: Extent, missing: ParserErrorId, args: readonly string[] = []): A.StatementAst[] {
    this.skipNewlines('command');
    const lc = this.peek('command');
    if (!this.isPunct(lc, '{')) this.fail(missing, after(afterTokenExtent), args, lc.kind === 'EOF');
    this.next('command');
    return this.statementList(lc);
  }

  /** `( pipeline )` of if/while/switch. */
  private parenCondition(keyword: Token, missingOpen: ParserErrorId, missingCondition: ParserErrorId, missingClose: ParserErrorId): A.StatementAst {
    this.skipNewlines('command');
    const lp = this.peek('command');
    if (!this.isPunct(lp, '(')) this.fail(missingOpen, after({ start: keyword.start, end: keyword.end }), [keyword.value], lp.kind === 'EOF');
    this.next('command');
    this.skipNewlines('command');
    const first = this.peek('command');
    if (this.isPunct(first, ')') || first.kind === 'EOF') this.fail(missingCondition, after({ start: lp.start, end: lp.end }), [keyword.value], first.kind === 'EOF');
    const cond = this.statement();
    if (cond === undefined) this.fail(missingCondition, after({ start: lp.start, end: lp.end }), [keyword.value]);
    this.skipNewlines('command');
    const rp = this.peek('command');
    if (!this.isPunct(rp, ')')) this.fail(missingClose, after({ start: cond.extent.start, end: cond.extent.end }), [keyword.value], rp.kind === 'EOF');
    this.next('command');
    return cond;
  }

  private ifStatement(): A.IfAst {
    const start = this.peek('command').start;
    const clauses: { condition: A.StatementAst; body: A.StatementAst[] }[] = [];
    let elseBody: A.StatementAst[] | undefined;
    let kw = this.next('command');
    for (;;) {
      const cond = this.parenCondition(kw, 'MissingOpenParenthesisInIfStatement', 'IfStatementMissingCondition', 'MissingEndParenthesisAfterStatement');
      const body = this.block({ start: this.lastEnd() - 1, end: this.lastEnd() }, 'MissingStatementBlock', [kw.value]);
      clauses.push({ condition: cond, body });
      // look past newlines for elseif/else
      const save = this.pos;
      this.skipNewlines('command');
      const n = this.peek('command');
      if (n.kind === 'Keyword' && n.value === 'elseif') {
        kw = this.next('command');
        continue;
      }
      if (n.kind === 'Keyword' && n.value === 'else') {
        const e = this.next('command');
        elseBody = this.block({ start: e.start, end: e.end }, 'MissingStatementBlockAfterElse');
        break;
      }
      this.pos = save;
      this.la = undefined;
      break;
    }
    return { kind: 'If', extent: { start, end: this.lastEnd() }, clauses, elseBody };
  }

  private whileStatement(label: string | undefined): A.WhileAst {
    const kw = this.next('command');
    const cond = this.parenCondition(kw, 'MissingOpenParenthesisAfterKeyword', 'MissingExpressionAfterKeyword', 'MissingEndParenthesisAfterStatement');
    const body = this.block({ start: this.lastEnd() - 1, end: this.lastEnd() }, 'MissingLoopStatement', ['while']);
    return { kind: 'While', extent: { start: kw.start, end: this.lastEnd() }, label, condition: cond, body };
  }

  private doStatement(label: string | undefined): A.DoLoopAst {
    const kw = this.next('command');
    const body = this.block({ start: kw.start, end: kw.end }, 'MissingLoopStatement', ['do']);
    this.skipNewlines('command');
    const w = this.peek('command');
    if (!(w.kind === 'Keyword' && (w.value === 'while' || w.value === 'until'))) {
      this.fail('MissingWhileOrUntilInDoWhile', after({ start: this.lastEnd() - 1, end: this.lastEnd() }), [], w.kind === 'EOF');
    }
    this.next('command');
    const cond = this.parenCondition(w, 'MissingOpenParenthesisAfterKeyword', 'MissingExpressionAfterKeyword', 'MissingEndParenthesisAfterStatement');
    return { kind: 'DoLoop', extent: { start: kw.start, end: this.lastEnd() }, label, until: w.value === 'until', condition: cond, body };
  }

  private forStatement(label: string | undefined): A.ForAst {
    const kw = this.next('command');
    this.skipNewlines('command');
    const lp = this.peek('command');
    if (!this.isPunct(lp, '(')) this.fail('MissingOpenParenthesisAfterKeyword', after({ start: kw.start, end: kw.end }), ['for'], lp.kind === 'EOF');
    this.next('command');
    const part = (terminator: string): A.StatementAst | undefined => {
      this.skipNewlines('command');
      const t = this.peek('command');
      if (this.isPunct(t, terminator)) return undefined;
      if (terminator === ';' && this.isPunct(t, ')')) return undefined;
      return this.statement();
    };
    const sepOrClose = (): boolean => {
      this.skipNewlines('command');
      const t = this.peek('command');
      if (this.isPunct(t, ';')) {
        this.next('command');
        return false;
      }
      if (this.isPunct(t, ')')) return true;
      this.fail('MissingEndParenthesisAfterStatement', { start: t.start, end: t.start }, ['for'], t.kind === 'EOF');
    };
    const init = part(';');
    let cond: A.StatementAst | undefined;
    let iter: A.StatementAst | undefined;
    if (!sepOrClose()) {
      cond = part(';');
      if (!sepOrClose()) {
        iter = part(')');
      }
    }
    this.skipNewlines('command');
    const rp = this.peek('command');
    if (!this.isPunct(rp, ')')) this.fail('MissingEndParenthesisAfterStatement', { start: rp.start, end: rp.start }, ['for'], rp.kind === 'EOF');
    this.next('command');
    const body = this.block({ start: rp.start, end: rp.end }, 'MissingLoopStatement', ['for']);
    return { kind: 'For', extent: { start: kw.start, end: this.lastEnd() }, label, init, condition: cond, iterator: iter, body };
  }

  private foreachStatement(label: string | undefined): A.ForEachAst {
    const kw = this.next('command');
    this.skipNewlines('command');
    const lp = this.peek('command');
    if (!this.isPunct(lp, '(')) this.fail('MissingOpenParenthesisAfterKeyword', after({ start: kw.start, end: kw.end }), ['foreach'], lp.kind === 'EOF');
    this.next('command');
    this.skipNewlines();
    const v = this.peek('expression');
    if (v.kind !== 'Variable') this.fail('MissingVariableNameAfterForeach', after({ start: lp.start, end: lp.end }), [], v.kind === 'EOF');
    this.next('expression');
    const variable: A.VariableAst = { kind: 'Variable', extent: { start: v.start, end: v.end }, name: v.value, scope: v.scope, splatted: false };
    this.skipNewlines('command');
    const inTok = this.peek('command');
    if (!(inTok.kind === 'Keyword' && inTok.value === 'in')) this.fail('MissingInInForeach', after({ start: v.start, end: v.end }), [], inTok.kind === 'EOF');
    this.next('command');
    this.skipNewlines('command');
    const first = this.peek('command');
    if (this.isPunct(first, ')') || first.kind === 'EOF') this.fail('MissingForeachExpression', after({ start: inTok.start, end: inTok.end }), [], first.kind === 'EOF');
    const collection = this.statement();
    if (collection === undefined) this.fail('MissingForeachExpression', after({ start: inTok.start, end: inTok.end }));
    this.skipNewlines('command');
    const rp = this.peek('command');
    if (!this.isPunct(rp, ')')) this.fail('MissingEndParenthesisAfterForeach', after({ start: collection.extent.start, end: collection.extent.end }), [], rp.kind === 'EOF');
    this.next('command');
    const body = this.block({ start: rp.start, end: rp.end }, 'MissingForeachStatement');
    return { kind: 'ForEach', extent: { start: kw.start, end: this.lastEnd() }, label, variable, collection, body };
  }

  private switchStatement(label: string | undefined): A.SwitchAst {
    const kw = this.next('command');
    let mode: A.SwitchAst['mode'] = 'exact';
    let caseSensitive = false;
    let file = false;
    for (;;) {
      this.skipNewlines('command');
      const t = this.peek('command');
      if (t.kind !== 'Parameter') break;
      this.next('command');
      const f = t.value.toLowerCase();
      if ('regex'.startsWith(f)) mode = 'regex';
      else if ('wildcard'.startsWith(f)) mode = 'wildcard';
      else if ('exact'.startsWith(f)) mode = 'exact';
      else if ('casesensitive'.startsWith(f)) caseSensitive = true;
      else if ('file'.startsWith(f)) file = true;
      else if ('parallel'.startsWith(f)) {
        /* accepted and ignored */
      } else this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
    }
    const cond = this.parenCondition(kw, 'MissingOpenParenthesisAfterKeyword', 'MissingSwitchConditionExpression', 'MissingEndParenthesisInSwitchStatement');
    this.skipNewlines('command');
    const lc = this.peek('command');
    if (!this.isPunct(lc, '{')) this.fail('MissingCurlyBraceInSwitchStatement', after({ start: this.lastEnd() - 1, end: this.lastEnd() }), [], lc.kind === 'EOF');
    this.next('command');
    const clauses: A.SwitchClauseAst[] = [];
    let defaultBody: A.StatementAst[] | undefined;
    for (;;) {
      this.skipSeparators();
      const t = this.peek('command');
      if (this.isPunct(t, '}')) {
        this.next('command');
        break;
      }
      if (t.kind === 'EOF') {
        this.report('MissingEndCurlyBrace', { start: lc.start, end: lc.end }, [], true);
        throw new Abort();
      }
      let condition: A.ExpressionAst;
      let isDefault = false;
      if ((t.kind === 'Identifier' || t.kind === 'Generic') && t.value.toLowerCase() === 'default') {
        this.next('command');
        isDefault = true;
        condition = { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: 'default', style: 'bare' };
      } else if (t.kind === 'Generic' || t.kind === 'Identifier' || t.kind === 'Keyword') {
        this.next('command');
        condition = t.kind === 'Generic' && t.expandable === true ? this.expandable(t, 'bare') : { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: t.value, style: 'bare' };
      } else {
        condition = this.commandArgument();
      }
      this.skipNewlines('command');
      const bl = this.peek('command');
      if (!this.isPunct(bl, '{')) this.fail('MissingSwitchStatementClause', after(condition.extent), [], bl.kind === 'EOF');
      this.next('command');
      const body = this.statementList(bl);
      if (isDefault) defaultBody = body;
      else clauses.push({ condition, body });
    }
    return { kind: 'Switch', extent: { start: kw.start, end: this.lastEnd() }, label, mode, caseSensitive, file, condition: cond, clauses, defaultBody };
  }

  private tryStatement(): A.TryAst {
    const kw = this.next('command');
    this.skipNewlines('command');
    const lc = this.peek('command');
    if (!this.isPunct(lc, '{')) this.fail('MissingTryStatementBlock', after({ start: kw.start, end: kw.end }), [], lc.kind === 'EOF');
    this.next('command');
    const body = this.statementList(lc);
    const catches: A.CatchClauseAst[] = [];
    let finallyBody: A.StatementAst[] | undefined;
    for (;;) {
      const save = this.pos;
      this.skipNewlines('command');
      const t = this.peek('command');
      if (t.kind === 'Keyword' && t.value === 'catch') {
        this.next('command');
        const types: string[] = [];
        for (;;) {
          this.skipNewlines();
          const b = this.peek('expression');
          if (!this.isPunct(b, '[')) break;
          const lb = this.next('expression');
          types.push(this.typeNameText(lb).name);
          this.skipNewlines();
          const c = this.peek('expression');
          if (this.isPunct(c, ',')) this.next('expression');
        }
        this.skipNewlines('command');
        const cb = this.peek('command');
        if (!this.isPunct(cb, '{')) this.fail('MissingCatchHandlerBlock', after({ start: this.lastEnd() - 1, end: this.lastEnd() }), [], cb.kind === 'EOF');
        this.next('command');
        const cbody = this.statementList(cb);
        catches.push({ extent: { start: t.start, end: this.lastEnd() }, types, body: cbody });
        continue;
      }
      if (t.kind === 'Keyword' && t.value === 'finally') {
        this.next('command');
        this.skipNewlines('command');
        const fb = this.peek('command');
        if (!this.isPunct(fb, '{')) this.fail('MissingFinallyStatementBlock', after({ start: t.start, end: t.end }), [], fb.kind === 'EOF');
        this.next('command');
        finallyBody = this.statementList(fb);
        break;
      }
      this.pos = save;
      this.la = undefined;
      break;
    }
    if (catches.length === 0 && finallyBody === undefined) {
      this.fail('MissingCatchOrFinally', after({ start: this.lastEnd() - 1, end: this.lastEnd() }), [], this.peek('command').kind === 'EOF');
    }
    return { kind: 'Try', extent: { start: kw.start, end: this.lastEnd() }, body, catches, finallyBody };
  }

  private trapStatement(): A.TrapAst {
    const kw = this.next('command');
    this.skipNewlines();
    let typeName: string | undefined;
    const b = this.peek('expression');
    if (this.isPunct(b, '[')) {
      const lb = this.next('expression');
      typeName = this.typeNameText(lb).name;
    }
    const body = this.block({ start: kw.start, end: kw.end }, 'MissingTrapStatement');
    return { kind: 'Trap', extent: { start: kw.start, end: this.lastEnd() }, typeName, body };
  }

  private functionDefinition(): A.FunctionDefinitionAst {
    const kw = this.next('command');
    this.skipNewlines('command');
    const nameTok = this.peek('command');
    if (!(nameTok.kind === 'Generic' || nameTok.kind === 'Identifier' || nameTok.kind === 'Keyword' || nameTok.kind === 'Parameter')) {
      this.fail('MissingNameAfterKeyword', after({ start: kw.start, end: kw.end }), [kw.value], nameTok.kind === 'EOF');
    }
    this.next('command');
    const name = nameTok.kind === 'Parameter' ? nameTok.text : nameTok.value;
    let parameters: A.ParameterAst[] | undefined;
    this.skipNewlines('command');
    const lp = this.peek('expression');
    if (this.isPunct(lp, '(')) {
      this.next('expression');
      parameters = this.parameterList(lp);
    }
    this.skipNewlines('command');
    const lc = this.peek('command');
    if (!this.isPunct(lc, '{')) this.fail('MissingFunctionBody', after({ start: this.lastEnd() - 1, end: this.lastEnd() }), [], lc.kind === 'EOF');
    this.next('command');
    const body = this.scriptBlockBody(lc, lc.start);
    return { kind: 'FunctionDefinition', extent: { start: kw.start, end: this.lastEnd() }, name, isFilter: kw.value === 'filter', parameters, body };
  }

  private breakContinue(): A.FlowAst {
    const kw = this.next('command');
    const t = this.peek('command');
    let label: string | undefined;
    if ((t.kind === 'Generic' || t.kind === 'Identifier') && !this.isStatementEnd(t)) {
      this.next('command');
      label = t.value.replace(/^:/, '');
    }
    return { kind: 'Flow', extent: { start: kw.start, end: this.lastEnd() }, flow: kw.value as 'break' | 'continue', value: undefined, label };
  }

  private isStatementEnd(t: Token): boolean {
    return t.kind === 'EOF' || t.kind === 'NewLine' || (t.kind === 'Punct' && (t.value === ';' || t.value === '}' || t.value === ')' || t.value === '|'));
  }

  private flowWithValue(): A.FlowAst {
    const kw = this.next('command');
    const t = this.peek('command');
    let value: A.StatementAst | undefined;
    if (!this.isStatementEnd(t)) value = this.pipelineStatement();
    return { kind: 'Flow', extent: { start: kw.start, end: this.lastEnd() }, flow: kw.value as 'return' | 'exit' | 'throw', value, label: undefined };
  }

  // ---- pipelines -----------------------------------------------------------------------

  /** Whether a token scanned in expression mode starts an expression (PipelineRule tries ExpressionRule first). */
  private startsExpression(t: Token): boolean {
    switch (t.kind) {
      case 'Number':
      case 'StringLiteral':
      case 'StringExpandable':
      case 'Variable':
      case 'SplattedVariable':
        return true;
      case 'Operator':
        return ['!', '-not', '-bnot', '-', '+', '++', '--', '-split', '-isplit', '-csplit', '-join'].includes(t.value);
      case 'Punct':
        return ['(', '$(', '@(', '@{', '[', '{', ','].includes(t.value);
      case 'Unknown':
        return t.value === '$';
      default:
        return false;
    }
  }

  private pipelineStatement(): A.StatementAst {
    const startTok = this.peek('command');
    const start = startTok.start;
    const elements: (A.CommandAst | A.CommandExpressionAst)[] = [];
    for (;;) {
      const te = this.peek('expression');
      const exprFirst = this.startsExpression(te);
      const t = exprFirst ? te : this.peek('command');
      if (elements.length === 0 && exprFirst) {
        const expr = this.expression();
        // assignment?
        const op = this.peek('expression');
        if (op.kind === 'Operator' && ASSIGNMENT_OPS.has(op.value)) {
          if (!isAssignable(expr)) this.fail('InvalidLeftHandSide', expr.extent);
          const opTok = this.next('expression');
          this.skipNewlines('command');
          const rhsTok = this.peek('command');
          if (this.isStatementEnd(rhsTok)) this.fail('ExpectedValueExpression', after({ start: opTok.start, end: opTok.end }), [opTok.value], rhsTok.kind === 'EOF');
          const value = this.statement();
          if (value === undefined) this.fail('ExpectedValueExpression', after({ start: opTok.start, end: opTok.end }), [opTok.value]);
          return {
            kind: 'Assignment',
            extent: { start, end: value.extent.end },
            target: expr,
            operator: opTok.value as A.AssignmentOperator,
            value,
            operatorExtent: { start: opTok.start, end: opTok.end },
          };
        }
        const redirections = this.redirections();
        elements.push({ kind: 'CommandExpression', extent: { start: expr.extent.start, end: this.lastEnd() }, expression: expr, redirections });
      } else {
        if (this.isStatementEnd(t)) {
          if (elements.length === 0) this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
          this.fail('EmptyPipeElement', { start: t.start, end: t.start }, [], t.kind === 'EOF');
        }
        if (elements.length > 0 && exprFirst && !(t.kind === 'Punct' && t.value === '{')) {
          // `1 | 2`: expressions only allowed first
          const expr = this.expression();
          this.fail('ExpressionsMustBeFirstInPipeline', expr.extent);
        }
        elements.push(this.command());
      }
      const p = this.peek('command');
      if (this.isPunct(p, '|')) {
        const pipe = this.next('command');
        this.skipNewlines('command');
        const n = this.peek('command');
        if (this.isStatementEnd(n)) this.fail('EmptyPipeElement', after({ start: pipe.start, end: pipe.end }), [], n.kind === 'EOF');
        continue;
      }
      break;
    }
    return { kind: 'Pipeline', extent: { start, end: this.lastEnd() }, elements };
  }

  private redirections(): A.RedirectionAst[] {
    const out: A.RedirectionAst[] = [];
    for (;;) {
      const t = this.peek('command');
      if (t.kind !== 'Redirection') return out;
      const r = this.next('command');
      if (r.redirection === undefined || r.redirection.from < 0) this.fail('RedirectionNotSupported', { start: r.start, end: r.end }, [r.text]);
      if (r.redirection.toStream !== undefined) {
        out.push({ extent: { start: r.start, end: r.end }, redirection: r.redirection, target: undefined });
        continue;
      }
      const n = this.peek('command');
      if (this.isStatementEnd(n) || n.kind === 'Redirection') this.fail('MissingFileSpecification', after({ start: r.start, end: r.end }), [], n.kind === 'EOF');
      const target = this.commandArgument();
      out.push({ extent: { start: r.start, end: target.extent.end }, redirection: r.redirection, target });
    }
  }

  private command(): A.CommandAst {
    const first = this.peek('command');
    const start = first.start;
    let invocation: '&' | '.' | undefined;
    const elements: A.CommandElementAst[] = [];
    const redirections: A.RedirectionAst[] = [];
    if (this.isPunct(first, '&') || this.isPunct(first, '.')) {
      invocation = first.value as '&' | '.';
      this.next('command');
      const n = this.peek('command');
      if (this.isStatementEnd(n)) this.fail('MissingExpression', after({ start: first.start, end: first.end }), [first.value], n.kind === 'EOF');
    }
    // command name
    const nameTok = this.peek('command');
    if (invocation === undefined && (nameTok.kind === 'Generic' || nameTok.kind === 'Identifier' || nameTok.kind === 'Keyword' || nameTok.kind === 'Parameter' || nameTok.kind === 'Operator')) {
      this.next('command');
      if (nameTok.kind === 'Generic' && nameTok.expandable === true) elements.push(this.expandable(nameTok, 'bare'));
      else elements.push({ kind: 'StringConstant', extent: { start: nameTok.start, end: nameTok.end }, value: nameTok.kind === 'Parameter' || nameTok.kind === 'Operator' ? nameTok.text : nameTok.value, style: 'bare' });
    } else {
      elements.push(this.commandArgument());
    }
    // arguments
    for (;;) {
      const t = this.peek('command');
      if (this.isStatementEnd(t)) break;
      if (t.kind === 'Punct' && (t.value === '&&' || t.value === '||')) break;
      if (this.isPunct(t, '&')) {
        this.fail('AmpersandNotAllowed', { start: t.start, end: t.end });
      }
      if (t.kind === 'Redirection') {
        redirections.push(...this.redirections());
        continue;
      }
      if (t.kind === 'Parameter') {
        this.next('command');
        let argument: A.ExpressionAst | undefined;
        if (t.colon === true) {
          const n = this.peek('command');
          if (this.isStatementEnd(n) || this.isPunct(n, ',')) this.fail('ParameterRequiresArgument', after({ start: t.start, end: t.end }), [t.text]);
          argument = this.commandArgumentWithCommas();
        }
        elements.push({ kind: 'CommandParameter', extent: { start: t.start, end: argument !== undefined ? argument.extent.end : t.end }, name: t.value, argument, text: t.text });
        continue;
      }
      if (t.kind === 'Generic' && t.value === '--%') {
        // stop-parsing token: the rest of the line is passed as is
        this.next('command');
        let j = this.pos;
        while (j < this.end && this.source.text[j] !== '\n' && this.source.text[j] !== '\r' && this.source.text[j] !== '|') j++;
        const raw = this.source.text.slice(this.pos, j).trim();
        elements.push({ kind: 'StringConstant', extent: { start: this.pos, end: j }, value: raw, style: 'bare' });
        this.pos = j;
        this.la = undefined;
        continue;
      }
      elements.push(this.commandArgumentWithCommas());
    }
    return { kind: 'Command', extent: { start, end: this.lastEnd() }, invocation, elements, redirections };
  }

  /** An argument possibly followed by `, more` (an array argument). */
  private commandArgumentWithCommas(): A.ExpressionAst {
    const first = this.commandArgument();
    const n = this.peek('command');
    if (!this.isPunct(n, ',')) return first;
    const items: A.ExpressionAst[] = [first];
    while (this.isPunct(this.peek('command'), ',')) {
      const comma = this.next('command');
      this.skipNewlines('command');
      const t = this.peek('command');
      if (this.isStatementEnd(t)) this.fail('MissingExpressionAfterToken', after({ start: comma.start, end: comma.end }), [','], t.kind === 'EOF');
      items.push(this.commandArgument());
    }
    const last = items[items.length - 1] ?? first;
    return { kind: 'ArrayLiteral', extent: { start: first.extent.start, end: last.extent.end }, elements: items };
  }

  /** One command argument in argument mode. */
  private commandArgument(): A.ExpressionAst {
    const t = this.peek('command');
    let expr: A.ExpressionAst;
    switch (t.kind) {
      case 'Generic':
      case 'Identifier':
      case 'Keyword': {
        this.next('command');
        if (t.kind === 'Generic' && t.expandable === true) expr = this.expandable(t, 'bare');
        else expr = { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: t.value, style: 'bare' };
        return expr;
      }
      case 'Parameter': {
        // `-` words in argument position that are not parameters (e.g. after `--`) — keep text
        this.next('command');
        return { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: t.text, style: 'bare' };
      }
      case 'Number': {
        this.next('command');
        expr = { kind: 'Constant', extent: { start: t.start, end: t.end }, value: t.num ?? 0, numType: t.numType ?? 'Int32' };
        break;
      }
      case 'Operator': {
        // `+`, `-`, `=`, `!` standing alone are plain text arguments
        this.next('command');
        return { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: t.text, style: 'bare' };
      }
      case 'Unknown': {
        if (t.value === '$') {
          this.pos = t.end;
          this.la = undefined;
          return { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: '$', style: 'bare' };
        }
        this.next('command');
        this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
      }
      // eslint-disable-next-line no-fallthrough
      default: {
        if (t.kind === 'Punct' && (t.value === ',' || t.value === '.' || t.value === '::' || t.value === '..' || t.value === ']')) {
          this.next('command');
          return { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: t.text, style: 'bare' };
        }
        expr = this.primaryWithPostfix('command');
      }
    }
    // Adjacent characters glue onto the argument (`$a+1`, `$x.txt`, `"a"b`).
    const parts: A.ExpressionAst[] = [expr];
    for (;;) {
      const c = this.source.text[this.pos] ?? '';
      if (this.pos >= this.end || forceStartNewToken(c) || c === '>' || c === '<') break;
      const n = this.tk.scan(this.pos, 'command');
      if (n.spaceBefore || n.kind === 'EOF' || n.kind === 'NewLine' || n.kind === 'Redirection') break;
      if (n.kind === 'Generic' || n.kind === 'Identifier' || n.kind === 'Keyword' || n.kind === 'Parameter' || n.kind === 'Operator' || n.kind === 'Number' || n.kind === 'Punct') {
        if (n.kind === 'Punct' && [',', '|', ';', ')', '}', '(', '{', '&'].includes(n.value)) break;
        this.pos = n.end;
        this.la = undefined;
        if (n.kind === 'Generic' && n.expandable === true) parts.push(this.expandable(n, 'bare'));
        else parts.push({ kind: 'StringConstant', extent: { start: n.start, end: n.end }, value: n.kind === 'Generic' ? n.value : n.text, style: 'bare' });
        continue;
      }
      parts.push(this.primaryWithPostfix('command'));
    }
    if (parts.length === 1) return expr;
    const last = parts[parts.length - 1] ?? expr;
    return { kind: 'ArgumentConcat', extent: { start: expr.extent.start, end: last.extent.end }, parts };
  }

  // ---- expressions ---------------------------------------------------------------------

  expression(): A.ExpressionAst {
    this.enter();
    try {
      return this.binary(1);
    } finally {
      this.leave();
    }
  }

  private binary(minPrec: number): A.ExpressionAst {
    let left = this.arrayLiteral();
    for (;;) {
      const t = this.peek('expression');
      let op: string | undefined;
      if (t.kind === 'Operator' && (t.value.startsWith('-') || ['+', '*', '/', '%'].includes(t.value)) && t.value !== '--' && t.value !== '-=' && !['-not', '-bnot'].includes(t.value)) op = t.value;
      else if (t.kind === 'Operator' && t.value === '-') op = '-';
      else if (this.isPunct(t, '..')) op = '..';
      else if (t.kind === 'Parameter') {
        this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
      }
      if (op === undefined) return left;
      const prec = binaryPrecedence(op);
      if (prec < minPrec) return left;
      const opTok = this.next('expression');
      this.skipNewlines();
      const nt = this.peek('expression');
      if (nt.kind === 'EOF' || nt.kind === 'NewLine' || this.isPunct(nt, ')') || this.isPunct(nt, '}') || this.isPunct(nt, ';') || this.isPunct(nt, '|') || this.isPunct(nt, ']')) {
        this.fail('ExpectedValueExpression', after({ start: opTok.start, end: opTok.end }), [opTok.text], nt.kind === 'EOF');
      }
      const right = this.binary(prec + 1);
      left = {
        kind: 'Binary',
        extent: { start: left.extent.start, end: right.extent.end },
        operator: op,
        left,
        right,
        operatorExtent: { start: opTok.start, end: opTok.end },
      };
    }
  }

  private arrayLiteral(): A.ExpressionAst {
    const first = this.unary();
    if (this.commaStop || !this.isPunct(this.peek('expression'), ',')) return first;
    const items: A.ExpressionAst[] = [first];
    while (this.isPunct(this.peek('expression'), ',')) {
      const comma = this.next('expression');
      this.skipNewlines();
      const t = this.peek('expression');
      if (t.kind === 'EOF' || this.isPunct(t, ')') || this.isPunct(t, '}') || t.kind === 'NewLine' || this.isPunct(t, ';')) {
        this.fail('MissingExpressionAfterToken', after({ start: comma.start, end: comma.end }), [','], t.kind === 'EOF');
      }
      items.push(this.unary());
    }
    const last = items[items.length - 1] ?? first;
    return { kind: 'ArrayLiteral', extent: { start: first.extent.start, end: last.extent.end }, elements: items };
  }

  private unary(): A.ExpressionAst {
    this.enter();
    try {
      const t = this.peek('expression');
      if (t.kind === 'Operator' && ['!', '-not', '-bnot', '-', '+', '-split', '-isplit', '-csplit', '-join', '++', '--'].includes(t.value)) {
        const opTok = this.next('expression');
        this.skipNewlines();
        const n = this.peek('expression');
        if (n.kind === 'EOF' || n.kind === 'NewLine' || this.isPunct(n, ')') || this.isPunct(n, '}') || this.isPunct(n, ';')) {
          this.fail('MissingExpressionAfterOperator', after({ start: opTok.start, end: opTok.end }), [opTok.text], n.kind === 'EOF');
        }
        const operand = this.unary();
        // fold negative number literals
        if (opTok.value === '-' && operand.kind === 'Constant') {
          return { kind: 'Constant', extent: { start: opTok.start, end: operand.extent.end }, value: -operand.value, numType: operand.numType };
        }
        return { kind: 'Unary', extent: { start: opTok.start, end: operand.extent.end }, operator: opTok.value, operand };
      }
      if (this.isPunct(t, ',')) {
        const comma = this.next('expression');
        this.skipNewlines();
        const operand = this.unary();
        return { kind: 'Unary', extent: { start: comma.start, end: operand.extent.end }, operator: ',', operand };
      }
      if (this.isPunct(t, '[')) {
        return this.typeOrCast();
      }
      const e = this.primaryWithPostfix('expression');
      // postfix ++ / --
      const p = this.peek('expression');
      if (p.kind === 'Operator' && (p.value === '++' || p.value === '--') && isAssignable(e)) {
        this.next('expression');
        return { kind: 'Unary', extent: { start: e.extent.start, end: p.end }, operator: `post${p.value}`, operand: e };
      }
      return e;
    } finally {
      this.leave();
    }
  }

  /** After `[` in operand position: a type literal, a cast, or `[type]::member`. */
  private typeOrCast(): A.ExpressionAst {
    const lb = this.next('expression');
    const type = this.typeNameText(lb);
    const typeExpr: A.TypeExpressionAst = { kind: 'TypeExpression', extent: { start: lb.start, end: this.lastEnd() }, type };
    const n = this.peek('expression');
    if ((this.isPunct(n, '::') || this.isPunct(n, '.') || this.isPunct(n, '[')) && !n.spaceBefore) {
      return this.postfix(typeExpr, 'expression');
    }
    // a cast applies to a following unary expression
    if (this.startsOperand(n)) {
      const operand = this.unary();
      return { kind: 'Convert', extent: { start: lb.start, end: operand.extent.end }, type, operand };
    }
    return typeExpr;
  }

  private startsOperand(t: Token): boolean {
    if (t.kind === 'Number' || t.kind === 'StringLiteral' || t.kind === 'StringExpandable' || t.kind === 'Variable' || t.kind === 'SplattedVariable') return true;
    if (t.kind === 'Operator' && ['!', '-not', '-bnot', '-', '+', '++', '--', '-split', '-join'].includes(t.value)) return true;
    if (t.kind === 'Punct' && ['(', '$(', '@(', '@{', '[', '{'].includes(t.value)) return true;
    return false;
  }

  /** Scan the text of a type name after `[`, consume the closing `]` (or stop before `(` of an attribute). */
  private typeNameText(lb: Token, attribute = false): A.TypeNameAst {
    const text = this.source.text;
    let i = lb.end;
    while (i < this.end && (text[i] === ' ' || text[i] === '\t')) i++;
    const start = i;
    let depth = 0;
    while (i < this.end) {
      const c = text[i] ?? '';
      if (c === '[') depth++;
      else if (c === ']') {
        if (depth === 0) break;
        depth--;
      } else if (c === '\n' || c === '\r' || (depth === 0 && (c === '(' || c === ')' || c === '{' || c === '}' || c === ';' || c === '|' || c === '='))) break;
      i++;
    }
    const name = text.slice(start, i).trim();
    if (name === '' || !/^[\w.`+#\\\][, ]+$/.test(name) || !isIdentifierStart(name[0] ?? '')) {
      if (name === '' || i >= this.end || text[i] !== ']') {
        this.fail('MissingTypename', after({ start: lb.start, end: lb.end }), [], i >= this.end);
      }
    }
    if (attribute && text[i] === '(') {
      this.pos = i;
      this.la = undefined;
      return { extent: { start: lb.start, end: i }, name };
    }
    if (i >= this.end || text[i] !== ']') {
      this.fail('EndSquareBracketExpectedAtEndOfAttribute', { start: i, end: i }, [], i >= this.end);
    }
    this.pos = i + 1;
    this.la = undefined;
    return { extent: { start: lb.start, end: this.pos }, name };
  }

  private primaryWithPostfix(mode: TokenMode): A.ExpressionAst {
    const p = this.primary(mode);
    return this.postfix(p, mode);
  }

  private postfix(expr: A.ExpressionAst, mode: TokenMode): A.ExpressionAst {
    let e = expr;
    for (;;) {
      const t = this.peek('expression');
      if (t.spaceBefore) return e;
      if (this.isPunct(t, '.') || this.isPunct(t, '::')) {
        const isStatic = t.value === '::';
        this.next('expression');
        const member = this.memberName(t);
        const n = this.peek('expression');
        if (this.isPunct(n, '(') && !n.spaceBefore) {
          const lp = this.next('expression');
          const args = this.methodArguments(lp);
          e = { kind: 'InvokeMember', extent: { start: e.extent.start, end: this.lastEnd() }, target: e, member, isStatic, args };
        } else {
          e = { kind: 'Member', extent: { start: e.extent.start, end: member.extent.end }, target: e, member, isStatic };
        }
        continue;
      }
      if (this.isPunct(t, '[')) {
        const lb = this.next('expression');
        this.skipNewlines();
        const first = this.peek('expression');
        if (this.isPunct(first, ']')) this.fail('MissingArrayIndexExpression', after({ start: lb.start, end: lb.end }));
        if (first.kind === 'EOF') this.fail('MissingArrayIndexExpression', after({ start: lb.start, end: lb.end }), [], true);
        const index = this.expression();
        this.skipNewlines();
        const rb = this.peek('expression');
        if (!this.isPunct(rb, ']')) this.fail('MissingEndSquareBracket', after(index.extent), [], rb.kind === 'EOF');
        this.next('expression');
        e = { kind: 'Index', extent: { start: e.extent.start, end: this.lastEnd() }, target: e, index };
        continue;
      }
      void mode;
      return e;
    }
  }

  private memberName(dot: Token): A.ExpressionAst {
    const t = this.peek('expression');
    if (t.spaceBefore) this.fail('MissingPropertyName', after({ start: dot.start, end: dot.end }));
    switch (t.kind) {
      case 'Identifier':
      case 'Keyword':
        this.next('expression');
        return { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: t.value, style: 'bare' };
      case 'StringLiteral':
        this.next('expression');
        return { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: t.value, style: 'single' };
      case 'StringExpandable':
        this.next('expression');
        return this.expandable(t, t.hereString === true ? 'here' : 'double');
      case 'Variable':
        this.next('expression');
        return { kind: 'Variable', extent: { start: t.start, end: t.end }, name: t.value, scope: t.scope, splatted: false };
      case 'Number': {
        // `$x.1` property named "1"
        this.next('expression');
        return { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: t.text, style: 'bare' };
      }
      case 'Punct':
        if (t.value === '(' || t.value === '$(') return this.primary('expression');
        break;
      default:
        break;
    }
    // identifiers may contain characters the expression tokenizer does not take (`$x.'a-b'` aside)
    const text = this.source.text;
    let i = this.pos;
    while (i < this.end && isIdentifierFollow(text[i] ?? '')) i++;
    if (i > this.pos) {
      const s = this.pos;
      this.pos = i;
      this.la = undefined;
      return { kind: 'StringConstant', extent: { start: s, end: i }, value: text.slice(s, i), style: 'bare' };
    }
    this.fail('MissingPropertyName', after({ start: dot.start, end: dot.end }), [], t.kind === 'EOF');
  }

  private methodArguments(lp: Token): A.ExpressionAst[] {
    const args: A.ExpressionAst[] = [];
    this.skipNewlines();
    if (this.isPunct(this.peek('expression'), ')')) {
      this.next('expression');
      return args;
    }
    for (;;) {
      this.skipNewlines();
      const t = this.peek('expression');
      if (t.kind === 'EOF') this.fail('MissingEndParenthesisInMethodCall', after({ start: lp.start, end: lp.end }), [], true);
      // each argument is an expression without the comma operator
      args.push(this.binaryNoComma());
      this.skipNewlines();
      const n = this.peek('expression');
      if (this.isPunct(n, ',')) {
        this.next('expression');
        this.skipNewlines();
        if (this.isPunct(this.peek('expression'), ')')) this.fail('MissingArgument', { start: n.end, end: n.end });
        continue;
      }
      if (this.isPunct(n, ')')) {
        this.next('expression');
        return args;
      }
      this.fail('MissingEndParenthesisInMethodCall', { start: n.start, end: n.start }, [], n.kind === 'EOF');
    }
  }

  /** Inside method-call arguments `,` separates arguments instead of building an array. */
  private commaStop = false;

  /** An expression where `,` separates arguments instead of building an array. */
  private binaryNoComma(): A.ExpressionAst {
    const save = this.commaStop;
    this.commaStop = true;
    try {
      return this.binary(1);
    } finally {
      this.commaStop = save;
    }
  }

  /** Parse a nested construct (parentheses, blocks) where commas build arrays again. */
  private nested<T>(f: () => T): T {
    const save = this.commaStop;
    this.commaStop = false;
    try {
      return f();
    } finally {
      this.commaStop = save;
    }
  }

  private primary(mode: TokenMode): A.ExpressionAst {
    const t0 = this.peek(mode === 'command' ? 'command' : 'expression');
    if (t0.kind === 'Punct' && ['(', '$(', '@(', '@{', '{'].includes(t0.value) && this.commaStop) return this.nested(() => this.primary(mode));
    const t = t0;
    const ex = (s: number): Extent => ({ start: s, end: this.lastEnd() });
    switch (t.kind) {
      case 'Number': {
        this.next(mode);
        return { kind: 'Constant', extent: { start: t.start, end: t.end }, value: t.num ?? 0, numType: t.numType ?? 'Int32' };
      }
      case 'StringLiteral': {
        this.next(mode);
        return { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: t.value, style: t.hereString === true ? 'here' : 'single' };
      }
      case 'StringExpandable': {
        this.next(mode);
        return this.expandable(t, t.hereString === true ? 'here' : 'double');
      }
      case 'Variable':
      case 'SplattedVariable': {
        this.next(mode);
        return { kind: 'Variable', extent: { start: t.start, end: t.end }, name: t.value, scope: t.scope, splatted: t.kind === 'SplattedVariable' };
      }
      case 'Punct': {
        switch (t.value) {
          case '(': {
            const lp = this.next(mode);
            this.skipNewlines('command');
            const first = this.peek('command');
            if (this.isPunct(first, ')')) this.fail('ExpectedExpression', after({ start: lp.start, end: lp.end }));
            if (first.kind === 'EOF') this.fail('ExpectedExpression', after({ start: lp.start, end: lp.end }), [], true);
            const stmt = this.statement();
            if (stmt === undefined) this.fail('ExpectedExpression', after({ start: lp.start, end: lp.end }));
            this.skipNewlines('command');
            const rp = this.peek('command');
            if (!this.isPunct(rp, ')')) this.fail('MissingEndParenthesisInExpression', after(stmt.extent), [], rp.kind === 'EOF');
            this.next('command');
            return { kind: 'Paren', extent: ex(lp.start), statement: stmt };
          }
          case '$(':
          case '@(': {
            const lp = this.next(mode);
            const statements = this.statementList(undefined, ')');
            const rp = this.peek('command');
            if (!this.isPunct(rp, ')')) {
              // SubExpressionRule (both $( and @( ): reported at the token found instead of ')'
              this.fail('MissingEndParenthesisInSubexpression', { start: rp.start, end: rp.end }, [], rp.kind === 'EOF');
            }
            this.next('command');
            return t.value === '$('
              ? { kind: 'SubExpression', extent: ex(lp.start), statements }
              : { kind: 'ArrayExpression', extent: ex(lp.start), statements };
          }
          case '@{':
            return this.hashtable();
          case '{': {
            const lc = this.next(mode);
            const block = this.scriptBlockBody(lc, lc.start);
            return { kind: 'ScriptBlockExpression', extent: { start: lc.start, end: this.lastEnd() }, block: { ...block, extent: { start: lc.start, end: this.lastEnd() } } };
          }
          case '[': {
            return this.typeOrCast();
          }
          default:
            break;
        }
        break;
      }
      case 'Operator':
        if (mode === 'command') break;
        return this.unary();
      case 'Unknown':
        this.next(mode);
        break;
      case 'EOF':
        this.fail('ExpectedValueExpression', { start: t.start, end: t.start }, [''], true);
      // eslint-disable-next-line no-fallthrough
      default:
        break;
    }
    this.fail('UnexpectedToken', { start: t.start, end: t.end }, [t.text]);
  }

  private hashtable(): A.HashtableAst {
    const at = this.next('expression');
    const entries: { key: A.ExpressionAst; value: A.StatementAst }[] = [];
    const text = this.source.text;
    for (;;) {
      // skip newlines and semicolons
      for (;;) {
        const t = this.peek('expression');
        if (t.kind === 'NewLine' || this.isPunct(t, ';')) {
          this.next('expression');
          continue;
        }
        break;
      }
      const t = this.peek('expression');
      if (this.isPunct(t, '}')) {
        this.next('expression');
        break;
      }
      if (t.kind === 'EOF') this.incompleteHash(at, entries, t);
      // key: a bare word or an expression
      let key: A.ExpressionAst;
      if (t.kind === 'Identifier' || t.kind === 'Keyword' || (t.kind === 'Unknown' && t.value !== '$') || t.kind === 'Parameter') {
        let i = t.start;
        while (i < this.end && !/[\s=;}]/.test(text[i] ?? ' ')) i++;
        key = { kind: 'StringConstant', extent: { start: t.start, end: i }, value: text.slice(t.start, i), style: 'bare' };
        this.pos = i;
        this.la = undefined;
      } else {
        key = this.unary();
      }
      const eq = this.peek('expression');
      if (!(eq.kind === 'Operator' && eq.value === '=')) {
        this.fail('MissingEqualsInHashLiteral', after(key.extent), [], eq.kind === 'EOF');
      }
      const eqTok = this.next('expression');
      this.skipNewlines();
      const v = this.peek('command');
      if (this.isStatementEnd(v)) this.fail('MissingStatementInHashLiteral', after({ start: eqTok.start, end: eqTok.end }), [], v.kind === 'EOF');
      const value = this.statement();
      if (value === undefined) this.fail('MissingStatementInHashLiteral', after({ start: eqTok.start, end: eqTok.end }));
      entries.push({ key, value });
      const sep = this.peek('expression');
      if (sep.kind === 'NewLine' || this.isPunct(sep, ';') || this.isPunct(sep, '}')) continue;
      this.incompleteHash(at, entries, sep);
    }
    return { kind: 'Hashtable', extent: { start: at.start, end: this.lastEnd() }, entries };
  }

  /** HashExpressionRule: no `}` where one was due — reported after the last value (or after `@{`). */
  private incompleteHash(at: Token, entries: readonly { value: A.StatementAst }[], found: Token): never {
    const last = entries[entries.length - 1];
    this.fail('IncompleteHashLiteral', after(last !== undefined ? last.value.extent : { start: at.start, end: at.end }), [], found.kind === 'EOF');
  }

  // ---- expandable strings --------------------------------------------------------------

  /** Build an ExpandableString (or a constant when nothing expands) from a token. */
  private expandable(t: Token, style: 'double' | 'bare' | 'here'): A.ExpressionAst {
    let contentStart: number;
    if (style === 'bare') contentStart = t.start;
    else if (style === 'here') {
      // @"<ws>\n content
      contentStart = t.start + 2;
      const text = this.source.text;
      while (contentStart < t.end && text[contentStart] !== '\n' && text[contentStart] !== '\r') contentStart++;
      if (text[contentStart] === '\r') contentStart++;
      if (text[contentStart] === '\n') contentStart++;
    } else contentStart = t.start + 1;
    const raw = t.value;
    const parts = this.expandParts(raw, contentStart, style);
    if (parts.every((p) => typeof p === 'string')) {
      return { kind: 'StringConstant', extent: { start: t.start, end: t.end }, value: parts.join(''), style: style === 'here' ? 'here' : style === 'bare' ? 'bare' : 'double' };
    }
    return { kind: 'ExpandableString', extent: { start: t.start, end: t.end }, parts, style };
  }

  private expandParts(raw: string, base: number, style: 'double' | 'bare' | 'here'): (string | A.ExpressionAst)[] {
    const parts: (string | A.ExpressionAst)[] = [];
    let lit = '';
    const flush = (): void => {
      if (lit !== '') parts.push(lit);
      lit = '';
    };
    let i = 0;
    const n = raw.length;
    while (i < n) {
      const c = raw[i] ?? '';
      if (c === '`') {
        if (i + 1 < n) {
          lit += backtickChar(raw[i + 1] ?? '');
          i += 2;
        } else {
          lit += c;
          i++;
        }
        continue;
      }
      if (style === 'double' && isDoubleQuote(c) && isDoubleQuote(raw[i + 1] ?? '')) {
        lit += c;
        i += 2;
        continue;
      }
      if (style === 'bare' && isSingleQuote(c)) {
        // literal part of a bareword
        let j = i + 1;
        while (j < n && !(isSingleQuote(raw[j] ?? '') && !isSingleQuote(raw[j + 1] ?? ''))) {
          if (isSingleQuote(raw[j] ?? '')) {
            lit += raw[j];
            j += 2;
            continue;
          }
          lit += raw[j];
          j++;
        }
        i = j + 1;
        continue;
      }
      if (style === 'bare' && isDoubleQuote(c)) {
        // a double-quoted part of a bareword: find its end and expand its content
        let j = i + 1;
        while (j < n) {
          const d = raw[j] ?? '';
          if (d === '`') {
            j += 2;
            continue;
          }
          if (isDoubleQuote(d)) {
            if (isDoubleQuote(raw[j + 1] ?? '')) {
              j += 2;
              continue;
            }
            break;
          }
          if (d === '$' && raw[j + 1] === '(') {
            const close = skipSubExpression(this.source.text, base + j + 2, this.end);
            j = close < 0 ? n : close - base + 1;
            continue;
          }
          j++;
        }
        const inner = this.expandParts(raw.slice(i + 1, j), base + i + 1, 'double');
        for (const p of inner) {
          if (typeof p === 'string') lit += p;
          else {
            flush();
            parts.push(p);
          }
        }
        i = j + 1;
        continue;
      }
      if (c === '$') {
        const c1 = raw[i + 1] ?? '';
        if (c1 === '(') {
          const close = skipSubExpression(this.source.text, base + i + 2, Math.min(this.end, base + n));
          if (close < 0) {
            this.fail('IncompleteDollarSubexpressionReference', { start: base + i, end: base + i + 2 }, [], true);
          }
          flush();
          const sub = new Parser(this.source, { start: base + i + 2, end: close }, this.errors, this.depth + 4);
          let statements: A.StatementAst[] = [];
          try {
            statements = sub.parseStatementsInRange();
            const rest = sub.peek('command');
            if (rest.kind !== 'EOF') sub.fail('UnexpectedToken', { start: rest.start, end: rest.end }, [rest.text]);
          } catch (e) {
            if (e instanceof Abort) throw e;
            throw e;
          }
          parts.push({ kind: 'SubExpression', extent: { start: base + i, end: close + 1 }, statements });
          i = close - base + 1;
          continue;
        }
        if (c1 === '{') {
          let j = i + 2;
          let name = '';
          while (j < n && raw[j] !== '}') {
            if (raw[j] === '`' && j + 1 < n) {
              name += backtickChar(raw[j + 1] ?? '');
              j += 2;
              continue;
            }
            name += raw[j];
            j++;
          }
          if (j >= n) this.fail('IncompleteDollarVariableReference', { start: base + i, end: base + i + 2 }, [], true);
          flush();
          const ci = name.indexOf(':');
          parts.push({
            kind: 'Variable',
            extent: { start: base + i, end: base + j + 1 },
            name: ci > 0 ? name.slice(ci + 1) : name,
            scope: ci > 0 ? name.slice(0, ci).toLowerCase() : undefined,
            splatted: false,
          });
          i = j + 1;
          continue;
        }
        if (c1 === '$' || c1 === '?' || c1 === '^') {
          flush();
          parts.push({ kind: 'Variable', extent: { start: base + i, end: base + i + 2 }, name: c1, scope: undefined, splatted: false });
          i += 2;
          continue;
        }
        let j = i + 1;
        let name = '';
        while (j < n) {
          const d = raw[j] ?? '';
          if (isIdentifierFollow(d) || d === '?') {
            name += d;
            j++;
            continue;
          }
          if (d === ':' && name !== '' && !name.includes(':') && raw[j + 1] !== ':' && (isIdentifierFollow(raw[j + 1] ?? '') || raw[j + 1] === '?')) {
            name += d;
            j++;
            continue;
          }
          break;
        }
        if (name === '') {
          lit += c;
          i++;
          continue;
        }
        flush();
        const ci = name.indexOf(':');
        parts.push({
          kind: 'Variable',
          extent: { start: base + i, end: base + j },
          name: ci > 0 ? name.slice(ci + 1) : name,
          scope: ci > 0 ? name.slice(0, ci).toLowerCase() : undefined,
          splatted: false,
        });
        i = j;
        continue;
      }
      lit += c;
      i++;
    }
    flush();
    return parts;
  }
}

function isAssignable(e: A.ExpressionAst): boolean {
  switch (e.kind) {
    case 'Variable':
    case 'Member':
    case 'Index':
      return true;
    case 'Convert':
      return isAssignable(e.operand);
    case 'ArrayLiteral':
      return e.elements.every(isAssignable);
    default:
      return false;
  }
}

/** Parse a script; throws ParseError. `file` is what position messages call the source. */
export function parseScript(text: string, file = 'line'): { ast: A.ScriptBlockAst; source: ScriptSource } {
  const source = new ScriptSource(text, file);
  const parser = new Parser(source);
  return { ast: parser.parseScript(), source };
}

export { ParseError };
export type { ParseErrorInfo };

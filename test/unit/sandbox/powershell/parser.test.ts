import { describe, it, expect } from 'vitest';
import { parseScript, ParseError, Tokenizer, type Ast } from '../../../../src/sandbox/powershell/index.js';

function firstStatement(src: string): Ast.StatementAst {
  const s = parseScript(src).ast.end?.[0];
  if (s === undefined) throw new Error('no statement');
  return s;
}

function firstElement(src: string): Ast.CommandAst | Ast.CommandExpressionAst {
  const s = firstStatement(src);
  if (s.kind !== 'Pipeline') throw new Error(`not a pipeline: ${s.kind}`);
  const e = s.elements[0];
  if (e === undefined) throw new Error('empty pipeline');
  return e;
}

function parseErrorOf(src: string): ParseError {
  try {
    parseScript(src);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`no parse error for ${src}`);
}

describe('tokenizer modes (about_Parsing)', () => {
  it('scans -Name as a parameter in command mode and -eq as an operator in expression mode', () => {
    const tk = new Tokenizer('-Name -eq');
    expect(tk.scan(0, 'command')).toMatchObject({ kind: 'Parameter', value: 'Name' });
    expect(tk.scan(5, 'expression')).toMatchObject({ kind: 'Operator', value: '-eq' });
  });

  it('scans 7z as one bareword argument in command mode but 7 as a number when followed by an operator in expression mode', () => {
    expect(new Tokenizer('7z').scan(0, 'command')).toMatchObject({ kind: 'Generic', value: '7z' });
    expect(new Tokenizer('7+1').scan(0, 'expression')).toMatchObject({ kind: 'Number', num: 7 });
    expect(new Tokenizer('7+1').scan(0, 'command')).toMatchObject({ kind: 'Generic', value: '7+1' });
  });

  it('reads numeric literals with multipliers, hex and type suffixes', () => {
    const num = (s: string): unknown => new Tokenizer(s).scan(0, 'expression');
    expect(num('1kb')).toMatchObject({ num: 1024, numType: 'Int32' });
    expect(num('0x10')).toMatchObject({ num: 16 });
    expect(num('0xFFFFFFFF')).toMatchObject({ num: -1, numType: 'Int32' });
    expect(num('5l')).toMatchObject({ num: 5, numType: 'Int64' });
    expect(num('1.5e3')).toMatchObject({ num: 1500, numType: 'Double' });
  });

  it('keeps 1..5 as a range, not the number 1.', () => {
    const tk = new Tokenizer('1..5');
    expect(tk.scan(0, 'expression')).toMatchObject({ kind: 'Number', num: 1, end: 1 });
    expect(tk.scan(1, 'expression')).toMatchObject({ kind: 'Punct', value: '..' });
  });

  it('treats a backtick at the end of a line as a line continuation', () => {
    const s = firstElement('Write-Output a `\n b');
    expect(s.kind).toBe('Command');
    expect((s as Ast.CommandAst).elements).toHaveLength(3);
  });

  it('skips comments: # to end of line and <# block #>', () => {
    const s = firstElement('Write-Output <# inline #> a # trailing');
    expect((s as Ast.CommandAst).elements).toHaveLength(2);
  });
});

describe('quoting rules (about_Quoting_Rules)', () => {
  it('takes single-quoted strings literally and doubles quotes inside them', () => {
    const e = firstElement(`'It''s $x'`);
    expect(e.kind === 'CommandExpression' && e.expression).toMatchObject({ kind: 'StringConstant', value: "It's $x" });
  });

  it('expands variables and subexpressions in double-quoted strings', () => {
    const e = firstElement('"a $x b $($y + 1) c ${weird name} d $env:PATH"');
    const expr = (e as Ast.CommandExpressionAst).expression as Ast.ExpandableStringAst;
    expect(expr.kind).toBe('ExpandableString');
    const kinds = expr.parts.map((p) => (typeof p === 'string' ? p : p.kind));
    expect(kinds).toEqual(['a ', 'Variable', ' b ', 'SubExpression', ' c ', 'Variable', ' d ', 'Variable']);
    const env = expr.parts[7] as Ast.VariableAst;
    expect(env).toMatchObject({ name: 'PATH', scope: 'env' });
  });

  it('processes backtick escapes and "" in double-quoted strings', () => {
    const e = firstElement('"tab`there ""q"" `$notvar"');
    expect((e as Ast.CommandExpressionAst).expression).toMatchObject({ kind: 'StringConstant', value: 'tab\there "q" $notvar' });
  });

  it('reads here-strings without their first and last line breaks', () => {
    const e = firstElement("@'\nline $x\n  two\n'@");
    expect((e as Ast.CommandExpressionAst).expression).toMatchObject({ value: 'line $x\n  two' });
    const d = firstElement('@"\nv=$v\n"@');
    expect((d as Ast.CommandExpressionAst).expression.kind).toBe('ExpandableString');
  });

  it('does not expand $a.b inside strings beyond the variable', () => {
    const e = firstElement('"$a.Length"');
    const parts = ((e as Ast.CommandExpressionAst).expression as Ast.ExpandableStringAst).parts;
    expect(parts[1]).toBe('.Length');
  });
});

describe('argument mode versus expression mode (about_Parsing)', () => {
  it('Write-Output 2+2 passes the string "2+2", (2+2) is an expression', () => {
    const c = firstElement('Write-Output 2+2 (2+2)') as Ast.CommandAst;
    expect(c.elements[1]).toMatchObject({ kind: 'StringConstant', value: '2+2', style: 'bare' });
    expect(c.elements[2]).toMatchObject({ kind: 'Paren' });
  });

  it('a statement that starts with a number, string, variable or ( is an expression', () => {
    expect(firstElement('1/0').kind).toBe('CommandExpression');
    expect(firstElement('"x".Length').kind).toBe('CommandExpression');
    expect(firstElement('$a[0].Name').kind).toBe('CommandExpression');
    expect(firstElement('[int]"5"').kind).toBe('CommandExpression');
    expect(firstElement('dir C:\\').kind).toBe('Command');
  });

  it('parses -Name:value, switches, array arguments and splatting', () => {
    const c = firstElement('Get-ChildItem -Path:C:\\x -Recurse -Include a,b @rest') as Ast.CommandAst;
    expect(c.elements[1]).toMatchObject({ kind: 'CommandParameter', name: 'Path', argument: { kind: 'StringConstant', value: 'C:\\x' } });
    expect(c.elements[2]).toMatchObject({ kind: 'CommandParameter', name: 'Recurse', argument: undefined });
    expect(c.elements[4]).toMatchObject({ kind: 'ArrayLiteral' });
    expect(c.elements[5]).toMatchObject({ kind: 'Variable', name: 'rest', splatted: true });
  });

  it('parses & and . invocation operators', () => {
    expect(firstElement('& { 1 }')).toMatchObject({ kind: 'Command', invocation: '&' });
    expect(firstElement('. $sb arg')).toMatchObject({ kind: 'Command', invocation: '.' });
  });

  it('parses redirections', () => {
    const c = firstElement('Get-Item x 2>&1 > out.txt') as Ast.CommandAst;
    expect(c.redirections.map((r) => r.redirection)).toEqual([
      { from: 2, toStream: 1, append: false },
      { from: 1, append: false },
    ]);
  });
});

describe('operators and precedence (about_Operators, about_Operator_Precedence)', () => {
  const expr = (s: string): Ast.ExpressionAst => (firstElement(s) as Ast.CommandExpressionAst).expression;

  it('binds * tighter than +, and comparison looser than arithmetic', () => {
    expect(expr('1 + 2 * 3 -eq 7')).toMatchObject({ operator: '-eq', left: { operator: '+', right: { operator: '*' } } });
  });

  it('binds the comma tighter than binary operators', () => {
    expect(expr('1,2 + 3')).toMatchObject({ operator: '+', left: { kind: 'ArrayLiteral' } });
  });

  it('-and / -or are left associative with equal precedence', () => {
    expect(expr('$a -or $b -and $c')).toMatchObject({ operator: '-and', left: { operator: '-or' } });
  });

  it('parses unary -not, !, casts and -f', () => {
    expect(expr('-not $x')).toMatchObject({ kind: 'Unary', operator: '-not' });
    expect(expr('!$x')).toMatchObject({ kind: 'Unary', operator: '!' });
    expect(expr('[int]$x + 1')).toMatchObject({ operator: '+', left: { kind: 'Convert' } });
    expect(expr('"{0}" -f 1 + 1')).toMatchObject({ operator: '+', left: { operator: '-f' } });
  });

  it('parses member access, method calls, static members and indexing', () => {
    expect(expr('$a.b.c')).toMatchObject({ kind: 'Member', target: { kind: 'Member' } });
    expect(expr("$s.Split(',')[0]")).toMatchObject({ kind: 'Index', target: { kind: 'InvokeMember', args: [{ value: ',' }] } });
    expect(expr('[math]::Round(2.5, 1)')).toMatchObject({ kind: 'InvokeMember', isStatic: true, args: [{}, {}] });
    expect(expr('[Environment]::MachineName')).toMatchObject({ kind: 'Member', isStatic: true });
  });

  it('parses hashtables, [ordered] and [pscustomobject] literals', () => {
    expect(expr('@{ a = 1; "b c" = 2\n d = 3 }')).toMatchObject({ kind: 'Hashtable', entries: [{}, {}, {}] });
    expect(expr('[ordered]@{a=1}')).toMatchObject({ kind: 'Convert', type: { name: 'ordered' }, operand: { kind: 'Hashtable' } });
  });
});

describe('statements', () => {
  it('parses if / elseif / else across lines', () => {
    expect(firstStatement('if ($a) { 1 }\nelseif ($b) { 2 }\nelse { 3 }')).toMatchObject({ kind: 'If', clauses: [{}, {}], elseBody: [{}] });
  });

  it('parses loops with labels', () => {
    expect(firstStatement(':outer foreach ($i in 1..3) { break outer }')).toMatchObject({ kind: 'ForEach', label: 'outer' });
    expect(firstStatement('for ($i = 0; $i -lt 3; $i++) { }')).toMatchObject({ kind: 'For' });
    expect(firstStatement('do { } until ($true)')).toMatchObject({ kind: 'DoLoop', until: true });
  });

  it('parses switch with -regex and default', () => {
    expect(firstStatement('switch -regex ($x) { "^a" { 1 } default { 2 } }')).toMatchObject({ kind: 'Switch', mode: 'regex', clauses: [{}], defaultBody: [{}] });
  });

  it('parses functions with parameter lists and param blocks', () => {
    const f = firstStatement('function Get-X { [CmdletBinding()] param([Parameter(Mandatory=$true, Position=0)][string]$Name, [switch]$Force, $Count = 3) $Name }') as Ast.FunctionDefinitionAst;
    expect(f.body.cmdletBinding).toBe(true);
    expect(f.body.paramBlock?.parameters.map((p) => [p.name, p.typeName, p.mandatory])).toEqual([
      ['Name', 'string', true],
      ['Force', 'switch', false],
      ['Count', undefined, false],
    ]);
  });

  it('parses try / catch [type] / finally', () => {
    expect(firstStatement('try { } catch [System.IO.IOException] { } catch { } finally { }')).toMatchObject({ kind: 'Try', catches: [{ types: ['System.IO.IOException'] }, { types: [] }] });
  });

  it('parses assignments including compound and typed ones', () => {
    expect(firstStatement('$x += 1')).toMatchObject({ kind: 'Assignment', operator: '+=' });
    expect(firstStatement('[int]$x = "5"')).toMatchObject({ kind: 'Assignment', target: { kind: 'Convert' } });
    expect(firstStatement('$a, $b = 1, 2')).toMatchObject({ kind: 'Assignment', target: { kind: 'ArrayLiteral' } });
    expect(firstStatement('$r = if ($x) { 1 } else { 2 }')).toMatchObject({ kind: 'Assignment', value: { kind: 'If' } });
  });
});

describe('parse errors (Windows PowerShell 5.1 texts)', () => {
  it('reports a missing closing brace at the opening brace, as incomplete input', () => {
    const e = parseErrorOf('if (1) {');
    expect(e.errorId).toBe('MissingEndCurlyBrace');
    expect(e.incomplete).toBe(true);
    expect(e.exceptionMessage()).toBe("At line:1 char:8\n+ if (1) {\r\n+        ~\nMissing closing '}' in statement block or type definition.");
  });

  it('reports every unclosed block, innermost first', () => {
    const e = parseErrorOf('function f {\n  if ($x) {\n');
    expect(e.errors.map((x) => [x.id, x.extent.start])).toEqual([
      ['MissingEndCurlyBrace', 23],
      ['MissingEndCurlyBrace', 11],
    ]);
  });

  it('reports an unterminated string', () => {
    const e = parseErrorOf('"abc');
    expect(e.errorId).toBe('TerminatorExpectedAtEndOfString');
    expect(e.errors[0]?.message).toBe('The string is missing the terminator: ".');
  });

  it('reports a missing closing parenthesis after the last token', () => {
    const e = parseErrorOf('(1 + 2');
    expect(e.exceptionMessage()).toBe("At line:1 char:7\n+ (1 + 2\r\n+       ~\nMissing closing ')' in expression.");
  });

  it('reports a missing operand', () => {
    expect(parseErrorOf('1 +').errors[0]?.message).toBe("You must provide a value expression following the '+' operator.");
    expect(parseErrorOf('$x = ').errorId).toBe('ExpectedValueExpression');
  });

  it('rejects && and || as in Windows PowerShell 5.1', () => {
    expect(parseErrorOf('a && b').errors[0]?.message).toBe("The token '&&' is not a valid statement separator in this version.");
  });

  it('reports an empty pipe element and expressions after the first pipeline element', () => {
    expect(parseErrorOf('dir | ').errorId).toBe('EmptyPipeElement');
    expect(parseErrorOf('1 | 2').errors[0]?.message).toBe('Expressions are only allowed as the first element of a pipeline.');
  });

  it('reports unexpected tokens', () => {
    expect(parseErrorOf('$x = 1 )').errors[0]?.message).toBe("Unexpected token ')' in expression or statement.");
  });

  it('cuts long lines in position messages to 69 characters with ellipses', () => {
    const src = `Write-Output ${'x'.repeat(80)} (`;
    const msg = parseErrorOf(src).exceptionMessage();
    const [, sourceLine] = msg.split('\n');
    expect(sourceLine?.startsWith('+ ... ')).toBe(true);
    expect(msg).toContain("An expression was expected after '('.");
  });
});

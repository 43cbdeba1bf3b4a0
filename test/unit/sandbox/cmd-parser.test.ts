// cmd.exe's grammar (`cmd /?`, `if /?`, `set /?`) and the parsing rules documented by
// dbenham/jeb ("How does the Windows Command Interpreter (CMD.EXE) parse scripts?").
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CmdSyntaxError, expandPercent, parseCommandLine, type CmdNode } from '../../../src/sandbox/cmd/parser.js';
import { splitArgv } from '../../../src/sandbox/cmd/argv.js';
import { evaluateSetExpression, SetExprError } from '../../../src/sandbox/cmd/setexpr.js';

const vars: Record<string, string> = { PATH: 'C:\\Windows;C:\\Tools', NAME: 'Hello World', EMPTYISH: ' ', AMP: 'a & echo b' };
const lookup = (n: string): string | undefined => vars[Object.keys(vars).find((k) => k.toUpperCase() === n.toUpperCase()) ?? ''];

/** A compact rendering of the tree for assertions. */
function show(n: CmdNode | undefined): string {
  if (n === undefined) return '∅';
  switch (n.kind) {
    case 'simple':
      return `[${n.text}${n.redirects.map((r) => ` ${r.fd}${r.op}${r.target}`).join('')}]`;
    case 'block':
      return `(${show(n.body)})${n.redirects.map((r) => ` ${r.fd}${r.op}${r.target}`).join('')}`;
    case 'rem':
      return 'REM';
    case 'if':
      return `IF${n.negate ? ' NOT' : ''}${n.ignoreCase ? ' /I' : ''} ${JSON.stringify(n.condition)} THEN ${show(n.then)}${n.else !== undefined ? ` ELSE ${show(n.else)}` : ''}`;
    default:
      return `{${show(n.left)} ${n.kind} ${show(n.right)}}`;
  }
}

const parse = (line: string): string => show(parseCommandLine(line));
const syntaxError = (line: string): string => {
  try {
    parseCommandLine(line);
  } catch (e) {
    if (e instanceof CmdSyntaxError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('percent expansion (command-line mode)', () => {
  it.each([
    ['echo %NAME%', 'echo Hello World'],
    ['echo %name%!', 'echo Hello World!'],
    ['echo %UNDEFINED%', 'echo %UNDEFINED%'],
    // The closing % of an undefined name may open the next variable.
    ['echo %UNDEFINED%NAME%', 'echo %UNDEFINEDHello World'],
    ['echo 100%', 'echo 100%'],
    ['echo %%', 'echo %%'],
    ['echo %NAME:~0,5%', 'echo Hello'],
    ['echo %NAME:~6%', 'echo World'],
    ['echo %NAME:~-5%', 'echo World'],
    ['echo %NAME:~0,-6%', 'echo Hello'],
    ['echo %NAME:~-5,2%', 'echo Wo'],
    ['echo %NAME:o=0%', 'echo Hell0 W0rld'],
    ['echo %NAME:WORLD=there%', 'echo Hello there'],
    ['echo %NAME:*o=%', 'echo  World'],
    ['echo %NAME: =%', 'echo HelloWorld'],
    ['echo %NAME:~x%', 'echo %NAME:~x%'],
    ['echo %PATH:;=&echo %', 'echo C:\\Windows&echo C:\\Tools'],
  ])('%s → %s', (line, expected) => {
    expect(expandPercent(line, lookup)).toBe(expected);
  });

  it('expands before parsing, so a value containing & becomes an operator', () => {
    expect(parse(expandPercent('echo %AMP%', lookup))).toBe('{[echo a ] & [echo b]}');
  });
});

describe('parsing', () => {
  it.each([
    ['echo hi', '[echo hi]'],
    ['  @echo hi', '[echo hi]'],
    ['echo a & echo b', '{[echo a ] & [echo b]}'],
    ['echo a&echo b&echo c', '{{[echo a] & [echo b]} & [echo c]}'],
    ['a && b || c', '{{[a ] && [b ]} || [c]}'],
    ['a || b && c', '{[a ] || {[b ] && [c]}}'],
    ['a & b && c', '{[a ] & {[b ] && [c]}}'],
    ['a | b && c', '{{[a ] | [b ]} && [c]}'],
    ['a | b | c', '{{[a ] | [b ]} | [c]}'],
    ['echo a &', '[echo a ]'],
    ['echo ^& ^| ^> ^< ^^', '[echo & | > < ^]'],
    ['echo "a & b" & echo c', '{[echo "a & b" ] & [echo c]}'],
    ['echo "a ^& b"', '[echo "a ^& b"]'],
    ['echo hi > out.txt', '[echo hi  1>out.txt]'],
    ['echo hi>>out.txt', '[echo hi 1>>out.txt]'],
    ['sort < in.txt > out.txt', '[sort   0<in.txt 1>out.txt]'],
    ['dir nope 2>nul', '[dir nope  2>nul]'],
    ['dir 2>&1 >log', '[dir   2dup1 1>log]'],
    ['echo err 1>&2', '[echo err  1dup2]'],
    ['echo a2>nul', '[echo a2 1>nul]'],
    ['echo 2>nul', '[echo  2>nul]'],
    ['>out.txt echo hi', '[ echo hi 1>out.txt]'],
    ['echo hi > "my file.txt"', '[echo hi  1>"my file.txt"]'],
    ['(echo a & echo b) > out.txt', '({[echo a ] & [echo b]}) 1>out.txt'],
    ['(echo a) && (echo b)', '{([echo a]) && ([echo b])}'],
    ['((echo nested))', '(([echo nested]))'],
    ['echo (not a block)', '[echo (not a block)]'],
    ['(echo (x)', '([echo (x])'],
    ['rem anything & echo never', 'REM'],
    ['echo a & rem & echo never', '{[echo a ] & REM}'],
    ['if exist C:\\x echo yes', 'IF {"kind":"exist","path":"C:\\\\x"} THEN [echo yes]'],
    ['if not exist x echo a & echo b', 'IF NOT {"kind":"exist","path":"x"} THEN {[echo a ] & [echo b]}'],
    ['if /i "%A%"=="b" (echo same) else (echo different)', 'IF /I {"kind":"compare","op":"==","left":"\\"%A%\\"","right":"\\"b\\""} THEN ([echo same]) ELSE ([echo different])'],
    ['if a == b echo x', 'IF {"kind":"compare","op":"==","left":"a","right":"b"} THEN [echo x]'],
    ['if 3 GTR 2 echo yes', 'IF {"kind":"compare","op":"GTR","left":"3","right":"2"} THEN [echo yes]'],
    ['if errorlevel 1 echo failed', 'IF {"kind":"errorlevel","value":"1"} THEN [echo failed]'],
    ['if defined PATH (echo y) & echo z', '{IF {"kind":"defined","name":"PATH"} THEN ([echo y]) & [echo z]}'],
    ['if 1==1 echo a else echo b', 'IF {"kind":"compare","op":"==","left":"1","right":"1"} THEN [echo a else echo b]'],
    ['', '∅'],
    ['   ', '∅'],
    ['echo a\r\necho b', '[echo a]'],
  ])('%j', (line, expected) => {
    expect(parse(line)).toBe(expected);
  });

  it.each([
    ['& echo a', '& was unexpected at this time.'],
    ['&& echo a', '&& was unexpected at this time.'],
    ['|| echo a', '|| was unexpected at this time.'],
    ['| sort', '| was unexpected at this time.'],
    ['echo a | ', 'The syntax of the command is incorrect.'],
    ['echo a &&', 'The syntax of the command is incorrect.'],
    ['echo a & & echo b', '& was unexpected at this time.'],
    ['echo a >', 'The syntax of the command is incorrect.'],
    ['echo a > & echo b', 'The syntax of the command is incorrect.'],
    ['(echo a', 'The syntax of the command is incorrect.'],
    ['()', ') was unexpected at this time.'],
    ['(echo a) echo b', 'echo was unexpected at this time.'],
    ['if', 'The syntax of the command is incorrect.'],
    ['if a', 'The syntax of the command is incorrect.'],
    ['if a b c echo', 'b was unexpected at this time.'],
    ['if 1==1', 'The syntax of the command is incorrect.'],
    ['x'.repeat(8192), 'The command line is too long.'],
  ])('%j → %s', (line, message) => {
    expect(syntaxError(line)).toBe(message);
  });
});

describe('splitArgv (C runtime rules)', () => {
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ['a"b c"d', ['ab cd']],
    ['"a\\"b"', ['a"b']],
    ['a\\\\"b c"', ['a\\b c']],
    ['a\\b', ['a\\b']],
    ['"a""b"', ['a"b']],
    ['-Command "Write-Host \'x y\'"', ['-Command', "Write-Host 'x y'"]],
    ['', []],
  ])('%j', (text, expected) => {
    expect(splitArgv(text)).toEqual(expected);
  });
});

describe('set /a expressions', () => {
  const env = (): { vars: Map<string, string>; get: (n: string) => string | undefined; set: (n: string, v: string) => void } => {
    const vars = new Map<string, string>([['X', '5']]);
    return { vars, get: (n) => vars.get(n.toUpperCase()), set: (n, v) => void vars.set(n.toUpperCase(), v) };
  };
  it.each([
    ['1+2*3', 7],
    ['(1+2)*3', 9],
    ['7/2', 3],
    ['-7/2', -3],
    ['7%3', 1],
    ['1<<4', 16],
    ['0x10 + 010', 24],
    ['x*2', 10],
    ['y+1', 1],
    ['!0', 1],
    ['~0', -1],
    ['5&3', 1],
    ['5|3', 7],
    ['5^3', 6],
    ['2147483647+1', -2147483648],
    ['a=3, b=a*2', 6],
    ['x+=1', 6],
    ['"x = 1 + 1"', 2],
  ])('%s = %d', (expr, value) => {
    expect(evaluateSetExpression(expr, env())).toBe(value);
  });

  it.each([
    ['1/0', 'Divide by zero error.'],
    ['1+', 'Missing operand.'],
    ['(1+2', 'Unbalanced parenthesis.'],
    ['1 2', 'Missing operator.'],
    ['08', 'Invalid number.  Numeric constants are either decimal (17),\r\nhexadecimal (0x11), or octal (021).'],
  ])('%s → %s', (expr, message) => {
    expect(() => evaluateSetExpression(expr, env())).toThrow(message);
  });
});

describe('the parser on arbitrary input (property)', () => {
  const cmdChars = fc.constantFrom(...'&|()<>^"% \t@=,;:!0123456789abcdefgIFifEXISTexistNOTnotREMrem\\/.*?~-+\r\n'.split(''), 'if ', 'else ', 'rem ', '%PATH%', '2>&1', '>>', '&&', '||', '%NAME:~1,2%');
  const line = fc.oneof(fc.array(cmdChars, { maxLength: 80 }).map((a) => a.join('')), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }));

  it('expands and parses without crashing (only CmdSyntaxError) and in bounded time', () => {
    fc.assert(
      fc.property(line, (text) => {
        const started = performance.now();
        try {
          parseCommandLine(expandPercent(text, lookup));
        } catch (e) {
          if (!(e instanceof CmdSyntaxError)) throw e;
          expect(e.message).toMatch(/^(.* was unexpected at this time\.|The syntax of the command is incorrect\.|The command line is too long\.)$/s);
        }
        expect(performance.now() - started).toBeLessThan(1000);
      }),
      { numRuns: 3000 },
    );
  });

  it('survives pathological nesting and length', () => {
    for (const text of ['('.repeat(5000), `${'('.repeat(100)}echo${')'.repeat(100)}`, 'if 1==1 '.repeat(1000), '^'.repeat(8191), '"'.repeat(8191), '&'.repeat(8000), `echo ${'2>&1 '.repeat(1600)}`]) {
      try {
        parseCommandLine(text);
      } catch (e) {
        expect(e).toBeInstanceOf(CmdSyntaxError);
      }
    }
  });

  it('set /a never crashes on arbitrary expressions', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.constantFrom(...'()+-*/%!~<>&|^=,x0123456789 '.split('')), { maxLength: 60 }).map((a) => a.join(''))), (expr) => {
        try {
          evaluateSetExpression(expr, { get: () => undefined, set: () => {} });
        } catch (e) {
          if (!(e instanceof SetExprError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
    for (const deep of ['('.repeat(4000), '!'.repeat(8000), 'a='.repeat(4000) + '1']) {
      try {
        evaluateSetExpression(deep, { get: () => undefined, set: () => {} });
      } catch (e) {
        expect(e).toBeInstanceOf(SetExprError);
      }
    }
  });
});

// The exact error texts powershell.exe prints on stderr under WinRS (no console: the buffer is
// 80 columns, so the error view wraps at 79 and cuts CategoryInfo / FullyQualifiedErrorId into
// chunks of 74), and the CLIXML form it uses for -EncodedCommand, which pywinrm unpacks.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { HOST, lines, makeHarness } from './harness.js';

const h = makeHarness();

const NOT_RECOGNIZED = [
  "Foo-Bar : The term 'Foo-Bar' is not recognized as the name of a cmdlet, ",
  'function, script file, or operable program. Check the spelling of the name, or ',
  'if a path was included, verify that the path is correct and try again.',
  'At line:1 char:1',
  '+ Foo-Bar',
  '+ ~~~~~~~',
  '    + CategoryInfo          : ObjectNotFound: (Foo-Bar:String) [], CommandNotF ',
  '   oundException',
  '    + FullyQualifiedErrorId : CommandNotFoundException',
  ' ',
];

describe('CommandNotFoundException', () => {
  it('prints the 5.1 error view on stderr, wrapped at the 80-column buffer, and exits 1', async () => {
    const r = await h.run('Foo-Bar');
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(NOT_RECOGNIZED.map((l) => `${l}\r\n`).join(''));
    expect(r.code).toBe(1);
  });

  it('unwrapped, it is the well-known single-line message', async () => {
    const r = await h.run('Foo-Bar');
    const joined = lines(r.stderr).slice(0, 3).join('');
    expect(joined).toBe(
      "Foo-Bar : The term 'Foo-Bar' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
    );
  });

  it('points at the command inside a longer line and keeps running the script', async () => {
    const r = await h.run('"before"; nope-cmd -x 1; "after"');
    expect(lines(r.stdout)).toEqual(['before', 'after']);
    const err = lines(r.stderr);
    expect(err[0]).toBe("nope-cmd : The term 'nope-cmd' is not recognized as the name of a cmdlet, ");
    expect(err).toContain('At line:1 char:11');
    expect(err).toContain('+ "before"; nope-cmd -x 1; "after"');
    expect(err).toContain('+           ~~~~~~~~');
    // the last command succeeded: exit code 0 ($? is true again)
    expect(r.code).toBe(0);
  });

  it('is catchable as CommandNotFoundException', async () => {
    const r = await h.run('try { Foo-Bar } catch [System.Management.Automation.CommandNotFoundException] { "caught: " + $_.FullyQualifiedErrorId }');
    expect(lines(r.stdout)).toEqual(['caught: CommandNotFoundException']);
    expect(r.stderr).toBe('');
  });
});

describe('parse errors', () => {
  it('prints the ParseException layout: position first, then the message, ParentContainsErrorRecordException', async () => {
    const r = await h.run('if ($true) { "x"');
    expect(lines(r.stderr)).toEqual([
      'At line:1 char:12',
      '+ if ($true) { "x"',
      '+            ~',
      "Missing closing '}' in statement block or type definition.",
      '    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordEx ',
      '   ception',
      '    + FullyQualifiedErrorId : MissingEndCurlyBrace',
      ' ',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('runs nothing of a script with a syntax error', async () => {
    const r = await h.run('"first"\r\n$x = 1 +\r\n');
    expect(r.stdout).toBe('');
    expect(lines(r.stderr).slice(0, 4)).toEqual(['At line:2 char:9', '+ $x = 1 +', '+         ~', "You must provide a value expression following the '+' operator."]);
  });

  it('reports other parser messages with their error ids', async () => {
    const cases: [string, string, string][] = [
      ['"abc', 'The string is missing the terminator: ".', 'TerminatorExpectedAtEndOfString'],
      ['foreach ($a) {}', "Missing 'in' after variable in foreach loop.", 'MissingInInForeach'],
      ['$a = ', 'You must provide a value expression following the \'=\' operator.', 'ExpectedValueExpression'],
      ['function f {', "Missing closing '}' in statement block or type definition.", 'MissingEndCurlyBrace'],
      ['@(1, 2', "Missing closing ')' in subexpression.", 'MissingEndParenthesisInSubexpression'],
      ['(1', "Missing closing ')' in expression.", 'MissingEndParenthesisInExpression'],
      ['$x = $(1', "Missing closing ')' in subexpression.", 'MissingEndParenthesisInSubexpression'],
      ['$h = @{ a = 1', 'The hash literal was incomplete.', 'IncompleteHashLiteral'],
    ];
    for (const [script, message, id] of cases) {
      const r = await h.run(script);
      const flat = r.stderr.replace(/ \r\n {3}/g, '').replace(/\r\n/g, '\n');
      expect(flat, script).toContain(message);
      expect(flat, script).toContain(`FullyQualifiedErrorId : ${id}`);
    }
  });

  it('reports a parse error inside Invoke-Expression as a ParseException of that command', async () => {
    const r = await h.run('iex "1 +"');
    expect(lines(r.stderr)).toEqual([
      'iex : At line:1 char:4',
      '+ 1 +',
      '+    ~',
      "You must provide a value expression following the '+' operator.",
      'At line:1 char:1',
      '+ iex "1 +"',
      '+ ~~~~~~~~~',
      '    + CategoryInfo          : ParserError: (:) [Invoke-Expression], ParseExcep ',
      '   tion',
      '    + FullyQualifiedErrorId : ExpectedValueExpression,Microsoft.PowerShell.Com ',
      '   mands.InvokeExpressionCommand',
      ' ',
    ]);
  });
});

describe('an unknown command inside Invoke-Expression', () => {
  // It ends Invoke-Expression as that cmdlet's terminating error (fixture
  // test_client_execute_ps_failure.yml: FullyQualifiedErrorId
  // CommandNotFoundException,Microsoft.PowerShell.Commands.InvokeExpressionCommand); in a script
  // that ends the statement only.
  it('is Invoke-Expression’s error, and the script goes on', async () => {
    const r = await h.run("iex 'Get-ServiceTypo -Name winrm'; 'after'");
    expect(r.stdout).toBe('after\r\n');
    const flat = r.stderr.replace(/ \r\n {3}/g, '').replace(/\r\n/g, '\n');
    expect(flat).toContain("iex : The term 'Get-ServiceTypo' is not recognized as the name of a cmdlet");
    expect(flat).toContain('CategoryInfo          : ObjectNotFound: (Get-ServiceTypo:String) [Invoke-Expression], CommandNotFoundException');
    expect(flat).toContain('FullyQualifiedErrorId : CommandNotFoundException,Microsoft.PowerShell.Commands.InvokeExpressionCommand');
  });

  it('fails a pipeline sent as commands (Invoke-Expression | Out-String -Stream, pypsrp’s execute_ps)', async () => {
    const s = h.ps.openSession({ host: HOST, clock: h.clock });
    const r = await s.invokeCommands([
      { command: 'Invoke-Expression', isScript: false, args: [{ name: 'Command', value: 'Get-ServiceTypo -Name winrm' }] },
      { command: 'Out-String', isScript: false, args: [{ name: 'Stream', value: null, switchPresent: true }] },
    ]);
    expect(r.terminatingError?.fullyQualifiedErrorId).toBe('CommandNotFoundException,Microsoft.PowerShell.Commands.InvokeExpressionCommand');
    expect(r.terminatingError?.activity).toBe('Invoke-Expression');
    expect(r.output).toEqual([]);
    // An error the text writes (not one that ends a statement) stays non-terminating.
    const written = await s.invokeCommands([{ command: 'Invoke-Expression', isScript: false, args: [{ name: 'Command', value: "Write-Error e1; 'next'" }] }]);
    expect(written.terminatingError).toBeUndefined();
    expect(written.output).toEqual(['next']);
  });
});

describe('runtime errors', () => {
  it('prints Write-Error at the top level with the command line as the prefix', async () => {
    const r = await h.run('Write-Error "boom"');
    expect(lines(r.stderr)).toEqual([
      'Write-Error "boom" : boom',
      '    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorExcep ',
      '   tion',
      '    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorExceptio ',
      '   n',
      ' ',
    ]);
    expect(r.code).toBe(1);
  });

  it('prints a throw with its position and RuntimeException, and stops the script', async () => {
    const r = await h.run('"a"; throw "bad"; "b"');
    expect(lines(r.stdout)).toEqual(['a']);
    expect(lines(r.stderr)).toEqual([
      'bad',
      'At line:1 char:6',
      '+ "a"; throw "bad"; "b"',
      '+      ~~~~~~~~~~~',
      '    + CategoryInfo          : OperationStopped: (bad:String) [], RuntimeExcept ',
      '   ion',
      '    + FullyQualifiedErrorId : bad',
      ' ',
    ]);
    expect(r.code).toBe(1);
  });

  it('prints a cmdlet error with the cmdlet name, target and FullyQualifiedErrorId', async () => {
    const r = await h.run('Get-Item C:\\nope');
    expect(lines(r.stderr)).toEqual([
      "Get-Item : Cannot find path 'C:\\nope' because it does not exist.",
      'At line:1 char:1',
      '+ Get-Item C:\\nope',
      '+ ~~~~~~~~~~~~~~~~',
      '    + CategoryInfo          : ObjectNotFound: (C:\\nope:String) [Get-Item], Ite ',
      '   mNotFoundException',
      '    + FullyQualifiedErrorId : PathNotFound,Microsoft.PowerShell.Commands.GetIt ',
      '   emCommand',
      ' ',
    ]);
  });

  it('writes warnings to stdout with WARNING: in text mode', async () => {
    const r = await h.run('Write-Warning "careful"; "done"');
    expect(lines(r.stdout)).toEqual(['WARNING: careful', 'done']);
    expect(r.stderr).toBe('');
  });

  it('ends a runaway loop with an error after the instruction budget', async () => {
    const small = makeHarness({ maxSteps: 2000 });
    const r = await small.run('$i = 0; while ($true) { $i++ }');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toBe('');
  });
});

function clixmlStrings(stderr: string): { stream: string; text: string }[] {
  expect(stderr.startsWith('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">')).toBe(true);
  expect(stderr.endsWith('</Objs>')).toBe(true);
  return [...stderr.matchAll(/<S S="(\w+)">([^<]*)<\/S>/g)].map((m) => ({ stream: m[1] ?? '', text: m[2] ?? '' }));
}

describe('-EncodedCommand: errors as CLIXML on stderr', () => {
  it('writes one <S S="Error"> element per error line, CRLF as _x000D__x000A_', async () => {
    const r = await h.run('Foo-Bar', { encoded: true });
    expect(r.code).toBe(1);
    const s = clixmlStrings(r.stderr);
    expect(s.every((x) => x.stream === 'Error')).toBe(true);
    expect(s.map((x) => x.text)).toEqual(NOT_RECOGNIZED.map((l) => `${l}_x000D__x000A_`));
  });

  it('sends warnings and verbose records to stderr as their own streams', async () => {
    const r = await h.run('Write-Warning "w"; Write-Verbose "v" -Verbose; "out"', { encoded: true });
    expect(lines(r.stdout)).toEqual(['out']);
    expect(clixmlStrings(r.stderr)).toEqual([
      { stream: 'warning', text: 'w' },
      { stream: 'verbose', text: 'v' },
    ]);
    expect(r.code).toBe(0);
  });

  it('escapes XML and control characters', async () => {
    const r = await h.run('Write-Error "a<b>&c`td"', { encoded: true });
    const first = clixmlStrings(r.stderr)[0];
    expect(first?.text).toBe('Write-Error "a&lt;b&gt;&amp;c`td" : a&lt;b&gt;&amp;c_x0009_d_x000D__x000A_');
  });

  it('writes nothing to stderr when there is nothing to report', async () => {
    const r = await h.run('"fine"', { encoded: true });
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['fine']);
  });

  const python = '/usr/bin/python3';
  const pywinrm = '/usr/lib/python3/dist-packages/winrm/__init__.py';
  it.skipIf(!existsSync(python) || !existsSync(pywinrm))("comes out of pywinrm's _clean_error_msg as the plain error text", async () => {
    const r = await h.run('Foo-Bar', { encoded: true });
    const py = spawnSync(python, ['-c', 'import sys, winrm; s = winrm.Session.__new__(winrm.Session); sys.stdout.write(s._clean_error_msg(sys.stdin.read()))'], { input: r.stderr, encoding: 'utf8' });
    expect(py.status).toBe(0);
    expect(py.stdout).toBe(NOT_RECOGNIZED.join('\n').trim());
  });
});

describe('stdin mode (-Command -)', () => {
  it('runs line by line, collects incomplete statements and keeps going after errors', async () => {
    const r = await h.run('', { fromStdin: true, stdin: '"one"\r\nif ($true) {\r\n  "two"\r\n}\r\nFoo-Bar\r\n"three"\r\n' });
    expect(lines(r.stdout)).toEqual(['one', 'two', 'three']);
    expect(r.stderr).toContain("The term 'Foo-Bar' is not recognized");
  });

  it('exit N ends the process with that code', async () => {
    const r = await h.run('', { fromStdin: true, stdin: '"a"\r\nexit 7\r\n"b"\r\n' });
    expect(lines(r.stdout)).toEqual(['a']);
    expect(r.code).toBe(7);
  });
});

describe('object API (openSession / invoke) for remoting', () => {
  it('keeps state between invocations and returns objects and error records', async () => {
    const s = h.ps.openSession({ host: HOST, clock: h.clock });
    await s.invoke('$x = 40; function Add2($n) { $n + 2 }');
    const r = await s.invoke('Add2 $x; Get-Item C:\\nope');
    expect(r.output).toEqual([42]);
    expect(r.errors.map((e) => e.fullyQualifiedErrorId)).toEqual(['PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand']);
    expect(r.terminatingError).toBeUndefined();
    expect(r.hadErrors).toBe(true);
    expect(s.render(['text', 1]).join('\n')).toContain('text');
  });

  it('flags terminating errors and streams records to a sink', async () => {
    const s = h.ps.openSession({ host: HOST, clock: h.clock });
    const seen: string[] = [];
    const r = await s.invoke('1; Write-Warning w; throw "stop"; 2', {
      sink: { output: (v) => void seen.push(`out:${String(v)}`), warning: (m) => void seen.push(`warn:${m}`), error: (e) => void seen.push(`err:${e.exception.message}`) },
    });
    expect(seen).toEqual(['out:1', 'warn:w', 'err:stop']);
    expect(r.terminatingError?.exception.message).toBe('stop');
    const p = await s.invoke('if (');
    expect(p.terminatingError?.parseError).toBe(true);
  });

  it('gives every invocation its own budget and abort signal', async () => {
    const small = makeHarness({ maxSteps: 3000 });
    const s = small.ps.openSession({ host: HOST, clock: small.clock });
    for (let i = 0; i < 5; i++) {
      const r = await s.invoke('foreach ($i in 1..500) { $null = $i }');
      expect(r.errors).toEqual([]);
    }
    const abort = new AbortController();
    abort.abort();
    const stopped = await s.invoke('while ($true) {}', { abort: abort.signal });
    expect(stopped.stopped).toBe(true);
    expect((await s.invoke('"still alive"')).output).toEqual(['still alive']);
  });
});

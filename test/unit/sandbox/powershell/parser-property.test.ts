import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseScript, ParseError, Tokenizer } from '../../../../src/sandbox/powershell/index.js';

/** Pieces of PowerShell syntax, so that generated inputs reach deep into the grammar. */
const FRAGMENTS = [
  'if', 'else', 'elseif', 'foreach', 'for', 'while', 'do', 'until', 'switch', 'try', 'catch', 'finally', 'function', 'param', 'begin', 'process', 'end',
  'return', 'break', 'continue', 'throw', 'exit', 'in', '-eq', '-ne', '-like', '-match', '-and', '-or', '-not', '-f', '-split', '-join', '-replace',
  '(', ')', '{', '}', '[', ']', '@(', '@{', '$(', '${', '$', '$_', '$x', '$env:PATH', '@args', ',', ';', '|', '&', '.', '..', '::', '=', '+=', '++', '--',
  '+', '-', '*', '/', '%', '!', '>', '>>', '2>&1', '<', '`', '`n', '#', '<#', '#>', '"', "'", '@"\n', '\n"@', "@'\n", "\n'@", '\n', ' ', '\t',
  '1', '1.5e3', '0x1F', '10kb', 'Get-ChildItem', 'Write-Output', 'dir', '[int]', '[string[]]', '[ordered]', '[pscustomobject]', 'C:\\Users', '-Recurse',
  '-Path:', ':label', 'default', '"a $x $(1+2) b"', "'lit'", '&&', '||', '[CmdletBinding()]', '[Parameter(Mandatory=$true)]',
];

const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));
const anyText = fc.string({ maxLength: 200, unit: 'binary' });

/** Parse and report anything other than a ParseError as a failure; bounded time. */
function parsesOrParseError(src: string): boolean {
  const start = performance.now();
  try {
    parseScript(src);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    expect(e.errors.length).toBeGreaterThan(0);
    // the error text renders (position message) without throwing
    expect(typeof e.exceptionMessage()).toBe('string');
  }
  expect(performance.now() - start).toBeLessThan(2000);
  return true;
}

/** Scan every token of the input in both modes; the position always advances. */
function tokenizes(src: string): boolean {
  for (const mode of ['command', 'expression'] as const) {
    const tk = new Tokenizer(src);
    let pos = 0;
    let n = 0;
    for (;;) {
      const t = tk.scan(pos, mode);
      if (t.kind === 'EOF') break;
      expect(t.end).toBeGreaterThan(pos);
      pos = t.end;
      n++;
      expect(n).toBeLessThanOrEqual(src.length + 1);
    }
  }
  return true;
}

describe('tokenizer and parser on arbitrary input', () => {
  it('never crash (only ParseError) and never hang on arbitrary strings', () => {
    fc.assert(fc.property(anyText, parsesOrParseError), { numRuns: 1500 });
  });

  it('never crash and never hang on soups of PowerShell syntax fragments', () => {
    fc.assert(fc.property(soup, parsesOrParseError), { numRuns: 3000 });
  });

  it('always advance when tokenizing arbitrary input in either mode', () => {
    fc.assert(fc.property(fc.oneof(anyText, soup), tokenizes), { numRuns: 1500 });
  });

  it('handle pathological nesting without overflowing the stack', () => {
    for (const open of ['(', '{', '@(', '$(', '[', '@{', 'if (1) {']) {
      parsesOrParseError(open.repeat(5000));
    }
    parsesOrParseError('"' + '$('.repeat(2000));
    let nested = 'x';
    for (let i = 0; i < 3000; i++) nested = `"$(${nested})"`;
    parsesOrParseError(nested);
  });

  it('parse reasonably nested strings', () => {
    let nested = '1';
    for (let i = 0; i < 10; i++) nested = `"$(${nested})"`;
    expect(() => parseScript(nested)).not.toThrow();
  });
});

// [ScriptBlock]::Create($text): a script block parsed from text, which `&`, `.` and `.Invoke()`
// run (Ansible's bootstrap_wrapper.ps1 and exec_wrapper.ps1 build their stages this way). A
// syntax error is the MethodInvocationException PowerShell 5.1 reports around its ParseException.
import { ParseError } from '../language/errors.js';
import { Parser } from '../language/parser.js';
import { ScriptSource } from '../language/position.js';
import { toStr } from './convert.js';
import { methodException, overloadError } from './members.js';
import { PSScriptBlock, type PSValue } from './values.js';

export function createScriptBlock(args: PSValue[]): PSScriptBlock {
  if (args.length !== 1) overloadError('Create', args.length);
  const text = toStr(args[0] ?? null);
  const source = new ScriptSource(text, 'line');
  try {
    return new PSScriptBlock(new Parser(source).parseScript(), source);
  } catch (e) {
    if (e instanceof ParseError) throw methodException('Create', 1, e.exceptionMessage().replace(/\n/g, '\r\n'), 'ParseException');
    throw e;
  }
}

export const SCRIPTBLOCK_METHODS = { create: (a: PSValue[]) => createScriptBlock(a) };

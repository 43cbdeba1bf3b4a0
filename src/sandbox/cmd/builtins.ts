// cmd.exe's internal commands (`help` lists them), with Windows' output and messages.
import { VfsError } from '../vfs/types.js';
import { splitWords } from './argv.js';
import { BatchExit, GotoSignal, currentBatch } from './batch.js';
import { ExitSignal, SYNTAX_ERROR, lineReaderOf, messageFor, strictInt } from './common.js';
import { SetExprError, evaluateSetExpression } from './setexpr.js';
import { cmdDate, cmdTimeShort } from './text.js';
import type { CmdProgram, Invocation } from './types.js';
import { copyCmd, delCmd, dirCmd, mkdirCmd, moveCmd, renCmd, rmdirCmd, typeCmd, volCmd } from './fs-builtins.js';

const out = (inv: Invocation, text: string): Promise<void> => inv.ctx.write('stdout', text);
const err = (inv: Invocation, text: string): Promise<void> => inv.ctx.write('stderr', text);

/** `ver`: `Microsoft Windows [Version 10.0.17763.1]`. */
export function versionString(inv: Invocation): string {
  return `Microsoft Windows [Version ${inv.rt.buildRevision(inv.ctx.spec)}]`;
}

const echo: CmdProgram = async (inv) => {
  const a = inv.args;
  const first = a[0];
  const rest = a.slice(1);
  if (first === undefined || ((first === ' ' || first === '\t') && rest.trim() === '')) {
    await out(inv, `ECHO is ${inv.state.echo ? 'on' : 'off'}.\r\n`);
    return 0;
  }
  if (first === ' ' || first === '\t' || first === ',' || first === ';' || first === '=') {
    const word = rest.trim().toLowerCase();
    if (word === 'on' || word === 'off') {
      inv.state.echo = word === 'on';
      return 0;
    }
    await out(inv, `${rest}\r\n`);
    return 0;
  }
  // `echo.`, `echo(`, `echo:`, `echo/`, `echo\`: the character is a separator, the rest is printed.
  if ('.(:/\\[]+'.includes(first)) {
    await out(inv, `${rest}\r\n`);
    return 0;
  }
  await out(inv, `${a}\r\n`);
  return 0;
};

const set: CmdProgram = async (inv) => {
  let a = inv.args.replace(/^[\s]+/, '');
  const env = inv.state.env;
  if (a.trim() === '') {
    await out(inv, env.list().map((e) => `${e.name}=${e.value}\r\n`).join(''));
    return 0;
  }
  const sw = /^\/([ap])(?=[\s"]|$)/i.exec(a);
  if (sw !== null && (sw[1] ?? '').toLowerCase() === 'a') {
    const expr = a.slice(2).trim();
    if (expr === '') {
      await err(inv, SYNTAX_ERROR);
      return 1;
    }
    try {
      const value = evaluateSetExpression(expr, env);
      // On the command line (not in a batch file) set /a prints the value, without a newline.
      await out(inv, String(value));
      return 0;
    } catch (e) {
      if (!(e instanceof SetExprError)) throw e;
      await err(inv, `${e.message}\r\n`);
      return e.errorlevel;
    }
  }
  let prompt = false;
  if (sw !== null) {
    prompt = true;
    a = a.slice(2).replace(/^\s+/, '');
  }
  if (a.startsWith('"')) {
    const last = a.lastIndexOf('"');
    a = last > 0 ? a.slice(1, last) : a.slice(1);
  }
  const eq = a.indexOf('=');
  if (eq < 0) {
    if (prompt) {
      await err(inv, SYNTAX_ERROR);
      return 1;
    }
    const prefix = a.trimEnd().toUpperCase();
    const matches = env.list().filter((e) => e.name.toUpperCase().startsWith(prefix));
    if (matches.length === 0) {
      await err(inv, `Environment variable ${a.trimEnd()} not defined\r\n`);
      return 1;
    }
    await out(inv, matches.map((e) => `${e.name}=${e.value}\r\n`).join(''));
    return 0;
  }
  const name = a.slice(0, eq);
  let value = a.slice(eq + 1);
  if (name === '') {
    await err(inv, SYNTAX_ERROR);
    return 1;
  }
  if (prompt) {
    await out(inv, value);
    const line = await lineReaderOf(inv).readLine();
    if (line === null || line === '') return 1;
    value = line;
  }
  env.set(name, value);
  return 0;
};

const cd: CmdProgram = async (inv) => {
  let a = inv.args.trim();
  if (a === '') {
    await out(inv, `${inv.state.cwd}\r\n`);
    return 0;
  }
  let switchDrive = false;
  if (/^\/d(\s|$)/i.test(a)) {
    switchDrive = true;
    a = a.slice(2).trim();
  }
  // cd takes the rest of the line as one path (spaces allowed without quotes).
  const typed = a.replace(/"/g, '').replace(/[\s]+$/, '');
  if (/^[a-z]:$/i.test(typed)) {
    // `cd D:` prints D:'s current directory.
    await out(inv, `${typed.toUpperCase()}\\\r\n`);
    return 0;
  }
  try {
    const path = inv.rt.resolve(inv.state, typed);
    const st = inv.rt.vfs.stat(path);
    if (st === undefined) throw new VfsError('ENOENT', path, '');
    if (st.type !== 'directory') throw new VfsError('ENOTDIR', path, '');
    if (st.path[0] !== inv.state.cwd[0] && !switchDrive) return 0;
    inv.state.cwd = st.path;
    return 0;
  } catch (e) {
    if (!(e instanceof VfsError)) throw e;
    await err(inv, `${e.code === 'ENOENT' ? 'The system cannot find the path specified.' : messageFor(e, inv.rt)}\r\n`);
    return 1;
  }
};

const pushd: CmdProgram = async (inv) => {
  const typed = inv.args.trim().replace(/"/g, '');
  if (typed === '') return 0;
  const before = inv.state.cwd;
  const r = await cd({ ...inv, args: ` /d ${typed}` });
  if (r === 0) inv.state.dirStack.push(before);
  return r;
};

const popd: CmdProgram = async (inv) => {
  const dir = inv.state.dirStack.pop();
  if (dir !== undefined) inv.state.cwd = dir;
  return 0;
};

const exit: CmdProgram = async (inv) => {
  const words = splitWords(inv.args);
  let i = 0;
  if ((words[0]?.value ?? '').toLowerCase() === '/b') i = 1;
  const codeText = words[i]?.value;
  const code = codeText === undefined ? inv.state.errorlevel : (strictInt(codeText) ?? 0);
  inv.state.errorlevel = code;
  // `exit /b` ends the batch file running (outside one, the process, like plain exit)
  throw i === 1 ? new BatchExit(code) : new ExitSignal(code);
};

/** `goto label` / `goto :eof` jump inside a batch file; on the command line they do nothing. */
const gotoCmd: CmdProgram = async (inv) => {
  if (currentBatch(inv.state) === undefined) return 0;
  const label = inv.args.trim().replace(/^:/, '').split(/[\s]/)[0] ?? '';
  throw new GotoSignal(label);
};

/** `shift` moves the batch parameters down by one (%2 becomes %1). */
const shift: CmdProgram = async (inv) => {
  currentBatch(inv.state)?.args.shift();
  return 0;
};

const ver: CmdProgram = async (inv) => {
  await out(inv, `\r\n${versionString(inv)}\r\n`);
  return 0;
};

const nothing: CmdProgram = async () => 0;

const title: CmdProgram = async () => 0;

const cls: CmdProgram = async () => 0;

const call: CmdProgram = async (inv) => {
  const line = inv.args.replace(/^\s+/, '');
  if (line === '') return 0;
  return inv.proc.runLine(line, inv.io);
};

const path: CmdProgram = async (inv) => {
  const a = inv.args.trim();
  if (a === '') {
    const p = inv.state.env.get('PATH');
    await out(inv, p === undefined ? 'PATH=(null)\r\n' : `PATH=${p}\r\n`);
    return 0;
  }
  inv.state.env.set('PATH', a === ';' ? '' : a.replace(/^=/, ''));
  return 0;
};

const prompt: CmdProgram = async (inv) => {
  inv.state.env.set('PROMPT', inv.args.trim() === '' ? '$P$G' : inv.args.trim());
  return 0;
};

const pause: CmdProgram = async (inv) => {
  await out(inv, 'Press any key to continue . . . ');
  await inv.ctx.readStdin();
  await out(inv, '\r\n');
  return 0;
};

const date: CmdProgram = async (inv) => {
  if (/^\s*\/t\s*$/i.test(inv.args)) {
    await out(inv, `${cmdDate(inv.ctx.clock.now())} \r\n`);
    return 0;
  }
  await out(inv, `The current date is: ${cmdDate(inv.ctx.clock.now())}\r\nEnter the new date: (mm-dd-yy) `);
  await inv.ctx.readStdin();
  return 0;
};

const time: CmdProgram = async (inv) => {
  if (/^\s*\/t\s*$/i.test(inv.args)) {
    await out(inv, `${cmdTimeShort(inv.ctx.clock.now())}\r\n`);
    return 0;
  }
  await out(inv, `The current time is: ${cmdTimeShort(inv.ctx.clock.now())}\r\nEnter the new time: `);
  await inv.ctx.readStdin();
  return 0;
};

const verify: CmdProgram = async (inv) => {
  if (inv.args.trim() === '') await out(inv, 'VERIFY is off.\r\n');
  return 0;
};

/** Commands this emulator does not implement: say so (architecture.md §2.10). */
function notEmulated(name: string): CmdProgram {
  return async (inv) => {
    await err(inv, `${name.toUpperCase()} is not emulated by winrm-emulator's cmd.exe.\r\n`);
    return 1;
  };
}

export const INTERNAL_COMMANDS: ReadonlyMap<string, CmdProgram> = new Map<string, CmdProgram>([
  ['echo', echo],
  ['set', set],
  ['cd', cd],
  ['chdir', cd],
  ['pushd', pushd],
  ['popd', popd],
  ['dir', dirCmd],
  ['type', typeCmd],
  ['mkdir', mkdirCmd],
  ['md', mkdirCmd],
  ['rmdir', rmdirCmd],
  ['rd', rmdirCmd],
  ['del', delCmd],
  ['erase', delCmd],
  ['copy', copyCmd],
  ['move', moveCmd],
  ['ren', renCmd],
  ['rename', renCmd],
  ['exit', exit],
  ['ver', ver],
  ['vol', volCmd],
  ['cls', cls],
  ['title', title],
  ['call', call],
  ['path', path],
  ['prompt', prompt],
  ['pause', pause],
  ['date', date],
  ['time', time],
  ['verify', verify],
  ['setlocal', nothing],
  ['endlocal', nothing],
  ['break', nothing],
  ['color', nothing],
  ['goto', gotoCmd],
  ['shift', shift],
  ['for', notEmulated('for')],
  ['start', notEmulated('start')],
  ['mklink', notEmulated('mklink')],
  ['assoc', notEmulated('assoc')],
  ['ftype', notEmulated('ftype')],
]);

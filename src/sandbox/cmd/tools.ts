// where.exe, sort.exe, findstr.exe, more.com and timeout.exe over the virtual file system and
// the command's stdin.
import { STATUS_CONTROL_C_EXIT } from '../../shell/backend.js';
import { VfsError } from '../vfs/types.js';
import { splitArgv } from './argv.js';
import { ExitSignal, wildcardRegExp } from './common.js';
import { decodeText, splitLines } from './text.js';
import type { CmdProgram, Invocation } from './types.js';

const out = (inv: Invocation, text: string): Promise<void> => inv.ctx.write('stdout', text);
const err = (inv: Invocation, text: string): Promise<void> => inv.ctx.write('stderr', text);

/** Text of a file in the VFS, or undefined after printing the tool's error. */
function readText(inv: Invocation, typed: string): string | undefined {
  try {
    const path = inv.rt.resolve(inv.state, typed);
    return decodeText(inv.rt.vfs.readFile(path), inv.ctx.spec.codepage);
  } catch (e) {
    if (e instanceof VfsError) return undefined;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// where

export const where: CmdProgram = async (inv) => {
  const args = splitArgv(inv.args);
  let quiet = false;
  let fullInfo = false;
  let recurseDir: string | undefined;
  const patterns: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const l = a.toLowerCase();
    if (l === '/q') quiet = true;
    else if (l === '/f') fullInfo = true;
    else if (l === '/t') continue;
    else if (l === '/r') recurseDir = args[++i];
    else if (l.startsWith('/')) {
      await err(inv, `ERROR: Invalid argument or option - '${a}'.\r\nType "WHERE /?" for usage.\r\n`);
      return 2;
    } else patterns.push(a);
  }
  if (patterns.length === 0) {
    await err(inv, 'ERROR: A search pattern must be specified.\r\nType "WHERE /?" for usage.\r\n');
    return 2;
  }
  const env = inv.state.env;
  const exts = (env.get('PATHEXT') ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e.startsWith('.'));
  const found: string[] = [];
  const seen = new Set<string>();
  const search = (dir: string, pattern: string, recurse: boolean): void => {
    let entries;
    try {
      entries = inv.rt.vfs.readdir(dir);
    } catch {
      return;
    }
    const names = /\.[^.\\*?]*$/.test(pattern) ? [pattern] : [pattern, ...exts.map((e) => pattern + e)];
    const res = names.map((n) => wildcardRegExp(n));
    for (const st of entries) {
      if (st.type === 'file' && res.some((r) => r.test(st.name)) && !seen.has(st.path.toUpperCase())) {
        seen.add(st.path.toUpperCase());
        found.push(st.path);
      }
    }
    if (recurse) for (const st of entries) if (st.type === 'directory') search(st.path, pattern, true);
  };
  for (const p of patterns) {
    const colon = p.lastIndexOf(':');
    if (recurseDir !== undefined) {
      try {
        search(inv.rt.resolve(inv.state, recurseDir), p, true);
      } catch (e) {
        if (!(e instanceof VfsError)) throw e;
      }
      continue;
    }
    let dirs: string[];
    let pattern = p;
    if (colon > 1) {
      // `$env:pattern` or `path1;path2:pattern`
      const scope = p.slice(0, colon);
      pattern = p.slice(colon + 1);
      dirs = scope.startsWith('$') ? (env.get(scope.slice(1)) ?? '').split(';') : scope.split(';');
    } else {
      dirs = [inv.state.cwd, ...(env.get('PATH') ?? '').split(';')];
    }
    for (const d of dirs) {
      if (d.trim() === '') continue;
      try {
        search(inv.rt.resolve(inv.state, d.replace(/"/g, '')), pattern, false);
      } catch (e) {
        if (!(e instanceof VfsError)) throw e;
      }
    }
  }
  if (found.length === 0) {
    if (!quiet) await err(inv, 'INFO: Could not find files for the given pattern(s).\r\n');
    return 1;
  }
  if (!quiet) await out(inv, found.map((f) => `${fullInfo ? `"${f}"` : f}\r\n`).join(''));
  return 0;
};

// ---------------------------------------------------------------------------------------------
// sort

export const sort: CmdProgram = async (inv) => {
  const args = splitArgv(inv.args);
  let reverse = false;
  let column = 0;
  let outFile: string | undefined;
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const l = a.toLowerCase();
    if (l === '/r' || l === '/reverse') reverse = true;
    else if (/^\/\+\d+$/.test(l)) column = Math.max(0, Number(l.slice(2)) - 1);
    else if (l === '/o' || l === '/output') outFile = args[++i];
    else if (l === '/l' || l === '/locale' || l === '/m' || l === '/rec' || l === '/t') i++;
    else if (l.startsWith('/')) {
      await err(inv, 'Invalid switch.\r\n');
      return 1;
    } else if (file === undefined) file = a;
    else {
      await err(inv, 'Sort: Only one input file may be specified.\r\n');
      return 1;
    }
  }
  let text: string;
  if (file !== undefined) {
    const t = readText(inv, file);
    if (t === undefined) {
      await err(inv, 'The system cannot find the file specified.\r\n');
      return 1;
    }
    text = t;
  } else text = await inv.ctx.readAllStdin();
  const lines = splitLines(text);
  const key = (s: string): string => s.slice(column).toUpperCase();
  lines.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  if (reverse) lines.reverse();
  const result = lines.map((l) => `${l}\r\n`).join('');
  if (outFile !== undefined) {
    try {
      inv.rt.vfs.writeFile(inv.rt.resolve(inv.state, outFile), new TextEncoder().encode(result));
    } catch (e) {
      if (!(e instanceof VfsError)) throw e;
      await err(inv, 'The system cannot find the path specified.\r\n');
      return 1;
    }
    return 0;
  }
  await out(inv, result);
  return 0;
};

// ---------------------------------------------------------------------------------------------
// findstr

/** findstr's regular expressions (`findstr /?`): . * ^ $ [class] [^class] \< \> \x. */
export function findstrRegExp(pattern: string, ignoreCase: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') {
      const n = pattern[i + 1];
      i++;
      if (n === '<') re += '(?<![A-Za-z0-9_])';
      else if (n === '>') re += '(?![A-Za-z0-9_])';
      else if (n !== undefined) re += n.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
      else re += '\\\\';
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, close).replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '.') re += '.';
    else if (c === '*') re += re === '' ? '\\*' : '*';
    else if (c === '^' && i === 0) re += '^';
    else if (c === '$' && i === pattern.length - 1) re += '$';
    else re += c.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
  }
  try {
    return new RegExp(re, ignoreCase ? 'i' : '');
  } catch {
    return new RegExp(pattern.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&'), ignoreCase ? 'i' : '');
  }
}

export const findstr: CmdProgram = async (inv) => {
  const args = splitArgv(inv.args);
  let ignoreCase = false;
  let invert = false;
  let numbers = false;
  let literal: boolean | undefined;
  let begin = false;
  let end = false;
  let exact = false;
  let namesOnly = false;
  const strings: string[] = [];
  let haveC = false;
  const files: string[] = [];
  for (const a of args) {
    if (a.startsWith('/') && files.length === 0 && (haveC || strings.length === 0)) {
      const l = a.toLowerCase();
      if (l.startsWith('/c:')) {
        strings.push(a.slice(3));
        haveC = true;
        continue;
      }
      if (l.startsWith('/g:') || l.startsWith('/f:') || l.startsWith('/d:') || l.startsWith('/a:')) continue;
      let ok = true;
      for (const ch of l.slice(1)) {
        if (ch === 'i') ignoreCase = true;
        else if (ch === 'v') invert = true;
        else if (ch === 'n') numbers = true;
        else if (ch === 'l') literal = true;
        else if (ch === 'r') literal = false;
        else if (ch === 'b') begin = true;
        else if (ch === 'e') end = true;
        else if (ch === 'x') exact = true;
        else if (ch === 'm') namesOnly = true;
        else if (ch === 's' || ch === 'p' || ch === 'o' || ch === 'q') continue;
        else ok = false;
      }
      if (!ok) {
        await err(inv, `FINDSTR: /${l.slice(1)} ignored\r\n`);
      }
      continue;
    }
    if (strings.length === 0 && !haveC) strings.push(...a.split(' ').filter((s) => s !== ''));
    else files.push(a);
  }
  if (strings.length === 0) {
    await err(inv, 'FINDSTR: Bad command line\r\n');
    return 2;
  }
  const isLiteral = literal ?? haveC;
  const matchers = strings.map((s) => {
    if (isLiteral) {
      const esc = s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
      return new RegExp(`${begin || exact ? '^' : ''}${esc}${end || exact ? '$' : ''}`, ignoreCase ? 'i' : '');
    }
    const re = findstrRegExp(s, ignoreCase);
    if (!begin && !end && !exact) return re;
    return new RegExp(`${begin || exact ? '^(?:' : '(?:'}${re.source})${end || exact ? '$' : ''}`, re.flags);
  });
  const inputs: { name: string | undefined; text: string }[] = [];
  if (files.length === 0) inputs.push({ name: undefined, text: await inv.ctx.readAllStdin() });
  for (const f of files) {
    const t = readText(inv, f);
    if (t === undefined) {
      await err(inv, `FINDSTR: Cannot open ${f}\r\n`);
      continue;
    }
    inputs.push({ name: f, text: t });
  }
  let any = false;
  let text = '';
  const prefixName = files.length > 1;
  for (const input of inputs) {
    const lines = splitLines(input.text);
    let fileHit = false;
    lines.forEach((line, i) => {
      const hit = matchers.some((m) => m.test(line)) !== invert;
      if (!hit) return;
      any = true;
      if (namesOnly) {
        if (!fileHit && input.name !== undefined) text += `${input.name}\r\n`;
        fileHit = true;
        return;
      }
      text += `${prefixName && input.name !== undefined ? `${input.name}:` : ''}${numbers ? `${i + 1}:` : ''}${line}\r\n`;
    });
  }
  await out(inv, text);
  return any ? 0 : 1;
};

// ---------------------------------------------------------------------------------------------
// more

export const more: CmdProgram = async (inv) => {
  const files = splitArgv(inv.args).filter((a) => !a.startsWith('/') && !a.startsWith('+'));
  let text = '';
  if (files.length === 0) text = await inv.ctx.readAllStdin();
  for (const f of files) {
    const t = readText(inv, f);
    if (t === undefined) {
      await err(inv, `Cannot access file ${inv.rt.resolve(inv.state, f)}\r\n`);
      return 1;
    }
    text += t;
  }
  const lines = splitLines(text).map((l) => expandTabs(l));
  await out(inv, lines.map((l) => `${l}\r\n`).join(''));
  return 0;
};

function expandTabs(line: string): string {
  let out = '';
  for (const c of line) {
    if (c === '\t') out += ' '.repeat(8 - (out.length % 8));
    else out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// timeout

const TIMEOUT_SYNTAX = 'ERROR: Invalid syntax. Default option is not allowed more than \'1\' time(s).\r\nType "TIMEOUT /?" for usage.\r\n';

/**
 * timeout.exe. Windows' timeout refuses a redirected stdin (as WinRS gives it) unless told not
 * to wait for a key; with /nobreak the emulator waits on the injected clock.
 */
export const timeout: CmdProgram = async (inv) => {
  const args = splitArgv(inv.args);
  let seconds: number | undefined;
  let nobreak = false;
  for (let i = 0; i < args.length; i++) {
    const l = (args[i] ?? '').toLowerCase();
    if (l === '/nobreak') nobreak = true;
    else if (l === '/t') {
      const v = args[++i];
      if (v === undefined || !/^-?\d+$/.test(v) || seconds !== undefined) {
        await err(inv, v === undefined ? 'ERROR: Invalid syntax. Value expected for \'/t\'.\r\nType "TIMEOUT /?" for usage.\r\n' : TIMEOUT_SYNTAX);
        return 1;
      }
      seconds = Number(v);
    } else if (/^-?\d+$/.test(l) && seconds === undefined) seconds = Number(l);
    else {
      await err(inv, TIMEOUT_SYNTAX);
      return 1;
    }
  }
  if (seconds === undefined || seconds < -1 || seconds > 99999) {
    await err(inv, seconds === undefined ? 'ERROR: Invalid syntax. Value expected for \'/t\'.\r\nType "TIMEOUT /?" for usage.\r\n' : 'ERROR: Invalid value for timeout (/T) specified. Valid range is -1 to 99999.\r\n');
    return 1;
  }
  if (!nobreak || seconds === -1) {
    await err(inv, 'ERROR: Input redirection is not supported, exiting the process immediately.\r\n');
    return 1;
  }
  const tail = ' seconds, press CTRL+C to quit ...';
  await out(inv, `\r\nWaiting for ${String(seconds).padStart(2)}${tail}`);
  try {
    for (let left = seconds - 1; left >= 0; left--) {
      await inv.ctx.sleep(1000);
      await out(inv, `${'\b'.repeat(2 + tail.length)}${String(left).padStart(2)}${tail}`);
    }
  } catch (e) {
    if (inv.ctx.abort.aborted) {
      await out(inv, '^C');
      throw new ExitSignal(STATUS_CONTROL_C_EXIT);
    }
    throw e;
  }
  await out(inv, '\r\n');
  return 0;
};

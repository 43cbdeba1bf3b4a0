// cmd.exe's file commands over the virtual file system: dir, type, mkdir, rmdir, del, copy,
// move, ren, vol, with Windows' layouts and messages. Layout of `dir` from
// fixtures/pypsrp/test_client_execute_cmd.yml (format strings "%16s File(s) %14s bytes" and
// "%16s Dir(s) %15s bytes free").
import type { VfsStat } from '../vfs/types.js';
import { VfsError } from '../vfs/types.js';
import { deviceOf } from '../vfs/path.js';
import { splitWords, type Word } from './argv.js';
import { SYNTAX_ERROR, lineReaderOf, messageFor, wildcardRegExp } from './common.js';
import { decodeText, dirTimestamp, groupDigits } from './text.js';
import type { CmdProgram, Invocation } from './types.js';

const out = (inv: Invocation, text: string): Promise<void> => inv.ctx.write('stdout', text);
const err = (inv: Invocation, text: string): Promise<void> => inv.ctx.write('stderr', text);

interface Parsed {
  readonly switches: string[];
  readonly paths: Word[];
}

function parseArgs(inv: Invocation): Parsed {
  const switches: string[] = [];
  const paths: Word[] = [];
  for (const w of splitWords(inv.args, { delims: 'cmd' })) {
    if (w.raw.startsWith('/')) {
      // `/a/b` and `/b/s` are two switches each.
      for (const s of w.raw.split('/').slice(1)) switches.push(s.toLowerCase());
    } else paths.push(w);
  }
  return { switches, paths };
}

const has = (p: Parsed, s: string): boolean => p.switches.includes(s);

function vfsMessage(inv: Invocation, e: unknown, path?: string): string {
  if (e instanceof VfsError) return `${messageFor(e, inv.rt, path)}\r\n`;
  throw e;
}

/** A typed path split into its directory and a wildcard pattern, with the matches. */
interface Expanded {
  /** Directory the matches are in. */
  readonly dir: string;
  /** The typed text before the file-name part (`sub\` of `sub\*.txt`). */
  readonly typedDir: string;
  readonly matches: VfsStat[];
  readonly wildcard: boolean;
  /** The path itself when it names an existing entry (no wildcard). */
  readonly target: VfsStat | undefined;
  readonly full: string;
}

function expand(inv: Invocation, typed: string): Expanded {
  const clean = typed.replace(/"/g, '');
  const cut = Math.max(clean.lastIndexOf('\\'), clean.lastIndexOf('/'), /^[a-z]:/i.test(clean) ? 1 : -1);
  const typedDir = clean.slice(0, cut + 1);
  const namePart = clean.slice(cut + 1);
  if (/[*?]/.test(namePart)) {
    const dir = inv.rt.resolve(inv.state, typedDir === '' ? '.' : typedDir);
    const re = wildcardRegExp(namePart);
    const st = inv.rt.vfs.stat(dir);
    const matches = st?.type === 'directory' ? inv.rt.vfs.readdir(dir).filter((s) => re.test(s.name)) : [];
    return { dir, typedDir, matches, wildcard: true, target: undefined, full: `${dir.replace(/\\$/, '')}\\${namePart}` };
  }
  const full = inv.rt.resolve(inv.state, clean);
  const target = inv.rt.vfs.stat(full);
  const slash = full.lastIndexOf('\\');
  const dir = slash > 2 ? full.slice(0, slash) : full.slice(0, 3);
  return { dir, typedDir, matches: target === undefined ? [] : [target], wildcard: false, target, full };
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('\\');
  return slash > 2 ? path.slice(0, slash) : path.slice(0, 3);
}

function join(dir: string, name: string): string {
  return dir.endsWith('\\') ? dir + name : `${dir}\\${name}`;
}

function volumeHeader(inv: Invocation, drive: string): string {
  const v = inv.rt.volume(inv.ctx.spec);
  const label = v.label === undefined || v.label === '' ? ` Volume in drive ${drive} has no label.` : ` Volume in drive ${drive} is ${v.label}`;
  return `${label}\r\n Volume Serial Number is ${v.serial}\r\n`;
}

export const volCmd: CmdProgram = async (inv) => {
  await out(inv, volumeHeader(inv, inv.state.cwd[0] ?? 'C'));
  return 0;
};

// ---------------------------------------------------------------------------------------------
// dir

interface DirOptions {
  readonly bare: boolean;
  readonly recurse: boolean;
  /** Attribute filter: undefined = not hidden; otherwise predicates. */
  readonly attr: ((s: VfsStat) => boolean) | undefined;
  readonly order: ((a: VfsStat, b: VfsStat) => number) | undefined;
}

function dirOptions(p: Parsed): DirOptions | string {
  let attr: DirOptions['attr'];
  let order: DirOptions['order'];
  for (const s of p.switches) {
    if (s === 'b' || s === 's' || s === 'w' || s === 'p' || s === 'q' || s === 'x' || s === 'l' || s === 'n' || s === '-c' || s === 'c') continue;
    if (s.startsWith('a')) {
      const spec = s.slice(1).replace(/^:/, '');
      const tests: ((st: VfsStat) => boolean)[] = [];
      for (let i = 0; i < spec.length; i++) {
        let neg = false;
        if (spec[i] === '-') {
          neg = true;
          i++;
        }
        const c = spec[i];
        const t: ((st: VfsStat) => boolean) | undefined =
          c === 'd' ? (st) => st.type === 'directory' : c === 'h' ? (st) => st.hidden : c === 'r' ? (st) => st.readOnly : c === 'a' ? (st) => st.type === 'file' : c === 's' ? () => false : undefined;
        if (t === undefined) return `Parameter format not correct - "${spec}".`;
        tests.push(neg ? (st) => !t(st) : t);
      }
      attr = (st) => tests.every((t) => t(st));
      continue;
    }
    if (s.startsWith('o')) {
      const spec = s.slice(1).replace(/^:/, '') || 'gn';
      const keys: ((a: VfsStat, b: VfsStat) => number)[] = [];
      for (let i = 0; i < spec.length; i++) {
        let sign = 1;
        if (spec[i] === '-') {
          sign = -1;
          i++;
        }
        const c = spec[i];
        const k: ((a: VfsStat, b: VfsStat) => number) | undefined =
          c === 'n'
            ? (a, b) => (a.name.toUpperCase() < b.name.toUpperCase() ? -1 : a.name.toUpperCase() > b.name.toUpperCase() ? 1 : 0)
            : c === 's'
              ? (a, b) => a.size - b.size
              : c === 'd'
                ? (a, b) => a.modified - b.modified
                : c === 'g'
                  ? (a, b) => (a.type === b.type ? 0 : a.type === 'directory' ? -1 : 1)
                  : c === 'e'
                    ? (a, b) => ext(a.name).localeCompare(ext(b.name))
                    : undefined;
        if (k === undefined) return `Parameter format not correct - "${spec}".`;
        keys.push((a, b) => sign * k(a, b));
      }
      order = (a, b) => {
        for (const k of keys) {
          const r = k(a, b);
          if (r !== 0) return r;
        }
        return 0;
      };
      continue;
    }
    return `Invalid switch - "${s}".`;
  }
  return { bare: has(p, 'b'), recurse: has(p, 's'), attr, order };
}

function ext(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toUpperCase() : '';
}

function dirLine(st: { modified: number; type: string; size: number }, name: string): string {
  const size = st.type === 'directory' ? '    <DIR>          ' : `${groupDigits(st.size).padStart(18)} `;
  return `${dirTimestamp(st.modified)}${size}${name}\r\n`;
}

export const dirCmd: CmdProgram = async (inv) => {
  const p = parseArgs(inv);
  const opts = dirOptions(p);
  if (typeof opts === 'string') {
    await err(inv, `${opts}\r\n`);
    return 1;
  }
  const targets = p.paths.length === 0 ? ['.'] : p.paths.map((w) => w.value);
  let code = 0;
  let totalFiles = 0;
  let totalBytes = 0;
  let totalDirs = 0;
  let headerDone = false;
  let anyFound = false;
  let lastDir = inv.state.cwd;
  const visible = (st: VfsStat): boolean => (opts.attr === undefined ? !st.hidden : opts.attr(st));
  for (const typed of targets) {
    let dir: string;
    let names: VfsStat[];
    let includeDots: boolean;
    try {
      const e = expand(inv, typed);
      if (!e.wildcard && e.target?.type === 'directory') {
        dir = e.target.path;
        names = inv.rt.vfs.readdir(dir);
        includeDots = dir.length > 3;
      } else {
        dir = e.dir;
        const dst = inv.rt.vfs.stat(dir);
        if (dst?.type !== 'directory') {
          if (!opts.bare && !headerDone) await out(inv, `${volumeHeader(inv, dir[0] ?? 'C')}\r\n`);
          headerDone = true;
          await err(inv, 'The system cannot find the path specified.\r\n');
          code = 1;
          continue;
        }
        dir = dst.path;
        names = e.matches;
        includeDots = false;
      }
    } catch (e) {
      await err(inv, vfsMessage(inv, e));
      code = 1;
      continue;
    }
    if (!opts.bare && !headerDone) {
      await out(inv, volumeHeader(inv, dir[0] ?? 'C'));
      headerDone = true;
    }
    lastDir = dir;
    const walk = async (d: string, entries: VfsStat[], dots: boolean): Promise<boolean> => {
      let list = entries.filter(visible);
      if (opts.order !== undefined) list = [...list].sort(opts.order);
      const withDots = dots && (opts.attr === undefined || opts.attr({ type: 'directory', path: d, name: '.', size: 0, created: 0, modified: 0, readOnly: false, hidden: false }));
      const found = list.length > 0 || (withDots && !opts.bare);
      if (found) {
        anyFound = true;
        let files = 0;
        let bytes = 0;
        let dirs = 0;
        let text = '';
        if (!opts.bare) text += `\r\n Directory of ${d}\r\n\r\n`;
        if (withDots && !opts.bare) {
          const self = inv.rt.vfs.stat(d);
          const parent = inv.rt.vfs.stat(parentOf(d));
          if (self !== undefined) text += dirLine(self, '.');
          if (parent !== undefined) text += dirLine(parent, '..');
          dirs += 2;
        }
        for (const st of list) {
          if (st.type === 'directory') dirs++;
          else {
            files++;
            bytes += st.size;
          }
          text += opts.bare ? `${opts.recurse ? st.path : st.name}\r\n` : dirLine(st, st.name);
        }
        if (!opts.bare) {
          text += `${String(files).padStart(16)} File(s) ${groupDigits(bytes).padStart(14)} bytes\r\n`;
          if (!opts.recurse) {
            const free = Math.max(0, inv.rt.vfs.usage().limit - inv.rt.vfs.usage().bytes);
            text += `${String(dirs).padStart(16)} Dir(s) ${groupDigits(free).padStart(15)} bytes free\r\n`;
          }
        }
        await out(inv, text);
        totalFiles += files;
        totalBytes += bytes;
        totalDirs += dirs;
      }
      if (opts.recurse) {
        for (const sub of inv.rt.vfs.readdir(d)) {
          if (sub.type !== 'directory' || !(opts.attr !== undefined || !sub.hidden)) continue;
          const subEntries = includeAllOrMatching(inv, sub.path, typed);
          await walk(sub.path, subEntries, true);
        }
      }
      return found;
    };
    await walk(dir, names, includeDots);
  }
  if (!anyFound) {
    if (code === 0) {
      if (!opts.bare) await out(inv, `\r\n Directory of ${lastDir}\r\n\r\n`);
      await err(inv, 'File Not Found\r\n');
    }
    return 1;
  }
  if (opts.recurse && !opts.bare) {
    const free = Math.max(0, inv.rt.vfs.usage().limit - inv.rt.vfs.usage().bytes);
    await out(
      inv,
      `\r\n     Total Files Listed:\r\n${String(totalFiles).padStart(16)} File(s) ${groupDigits(totalBytes).padStart(14)} bytes\r\n${String(totalDirs).padStart(16)} Dir(s) ${groupDigits(free).padStart(15)} bytes free\r\n`,
    );
  }
  return code;
};

/** In `dir /s pattern`, the entries of a subdirectory that match the pattern's name part. */
function includeAllOrMatching(inv: Invocation, dir: string, typed: string): VfsStat[] {
  const clean = typed.replace(/"/g, '');
  const namePart = clean.slice(Math.max(clean.lastIndexOf('\\'), clean.lastIndexOf('/')) + 1);
  const all = inv.rt.vfs.readdir(dir);
  if (!/[*?]/.test(namePart)) return all;
  const re = wildcardRegExp(namePart);
  return all.filter((s) => re.test(s.name));
}

// ---------------------------------------------------------------------------------------------
// type

export const typeCmd: CmdProgram = async (inv) => {
  const p = parseArgs(inv);
  if (p.paths.length === 0) {
    await err(inv, SYNTAX_ERROR);
    return 1;
  }
  let code = 0;
  const many = p.paths.length > 1 || p.paths.some((w) => /[*?]/.test(w.value));
  for (const w of p.paths) {
    let files: VfsStat[];
    let full = '';
    try {
      const e = expand(inv, w.value);
      full = e.full;
      if (deviceOf(e.full) === 'NUL') continue;
      if (!e.wildcard && e.target?.type === 'directory') {
        await err(inv, 'Access is denied.\r\n');
        code = 1;
        continue;
      }
      files = e.matches.filter((s) => s.type === 'file');
    } catch (e) {
      await err(inv, vfsMessage(inv, e));
      code = 1;
      continue;
    }
    if (files.length === 0) {
      await err(inv, `${messageFor(new VfsError('ENOENT', full, ''), inv.rt, full)}\r\n`);
      code = 1;
      continue;
    }
    for (const f of files) {
      if (many) await err(inv, `\r\n${w.value.includes('\\') ? f.path : f.name}\r\n\r\n\r\n`);
      const data = inv.rt.vfs.readFile(f.path);
      if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) await inv.ctx.write('stdout', decodeText(data, inv.ctx.spec.codepage));
      else if (data.length > 0) await inv.ctx.write('stdout', data);
    }
  }
  return code;
};

// ---------------------------------------------------------------------------------------------
// mkdir, rmdir

export const mkdirCmd: CmdProgram = async (inv) => {
  const p = parseArgs(inv);
  if (p.paths.length === 0) {
    await err(inv, SYNTAX_ERROR);
    return 1;
  }
  let code = 0;
  for (const w of p.paths) {
    try {
      const path = inv.rt.resolve(inv.state, w.value);
      if (deviceOf(path) !== undefined) throw new VfsError('EINVAL', path, '');
      if (inv.rt.vfs.stat(path) !== undefined) {
        await err(inv, `A subdirectory or file ${w.value} already exists.\r\n`);
        code = 1;
        continue;
      }
      inv.rt.vfs.mkdir(path, { recursive: true });
    } catch (e) {
      if (e instanceof VfsError && e.code === 'EEXIST') {
        await err(inv, 'The system cannot find the path specified.\r\n');
      } else await err(inv, vfsMessage(inv, e));
      code = 1;
    }
  }
  return code;
};

async function confirm(inv: Invocation, question: string): Promise<'yes' | 'no' | 'all'> {
  await out(inv, question);
  const line = await lineReaderOf(inv).readLine();
  const a = (line ?? '').trim().toLowerCase();
  if (a === 'y' || a === 'yes') return 'yes';
  if (a === 'a' || a === 'all') return 'all';
  return 'no';
}

export const rmdirCmd: CmdProgram = async (inv) => {
  const p = parseArgs(inv);
  if (p.paths.length === 0) {
    await err(inv, SYNTAX_ERROR);
    return 1;
  }
  const recurse = has(p, 's');
  const quiet = has(p, 'q');
  let code = 0;
  for (const w of p.paths) {
    try {
      const path = inv.rt.resolve(inv.state, w.value);
      const st = inv.rt.vfs.stat(path);
      if (st === undefined) throw new VfsError('ENOENT', path, '');
      if (st.type !== 'directory') throw new VfsError('ENOTDIR', path, '');
      const cwd = inv.state.cwd.toUpperCase();
      const target = st.path.toUpperCase();
      if (cwd === target || cwd.startsWith(target.endsWith('\\') ? target : `${target}\\`)) {
        await err(inv, 'The process cannot access the file because it is being used by another process.\r\n');
        code = 32;
        continue;
      }
      if (recurse && !quiet && (await confirm(inv, `${w.value}, Are you sure (Y/N)? `)) === 'no') continue;
      inv.rt.vfs.remove(st.path, { recursive: recurse });
    } catch (e) {
      await err(inv, vfsMessage(inv, e));
      code = e instanceof VfsError && e.code === 'ENOTEMPTY' ? 145 : 2;
    }
  }
  return code;
};

// ---------------------------------------------------------------------------------------------
// del

export const delCmd: CmdProgram = async (inv) => {
  const p = parseArgs(inv);
  if (p.paths.length === 0) {
    await err(inv, SYNTAX_ERROR);
    return 1;
  }
  const quiet = has(p, 'q');
  const force = has(p, 'f');
  const recurse = has(p, 's');
  const removeIn = async (dir: string, re: RegExp, prompt: string | undefined): Promise<number> => {
    let n = 0;
    const files = inv.rt.vfs.readdir(dir).filter((s) => s.type === 'file' && re.test(s.name) && (!s.hidden || force));
    if (files.length > 0 && prompt !== undefined && !quiet && (await confirm(inv, prompt)) === 'no') return -1;
    for (const f of files) {
      if (f.readOnly && !force) {
        await err(inv, `${f.path}\r\nAccess is denied.\r\n`);
        continue;
      }
      if (f.readOnly) inv.rt.vfs.remove(f.path);
      else inv.rt.vfs.remove(f.path);
      if (recurse) await out(inv, `Deleted file - ${f.path}\r\n`);
      n++;
    }
    if (recurse) for (const sub of inv.rt.vfs.readdir(dir)) if (sub.type === 'directory') n += Math.max(0, await removeIn(sub.path, re, undefined));
    return n;
  };
  for (const w of p.paths) {
    try {
      const clean = w.value.replace(/"/g, '');
      const cut = Math.max(clean.lastIndexOf('\\'), clean.lastIndexOf('/'));
      const namePart = clean.slice(cut + 1);
      let dir: string;
      let pattern: string;
      const full = inv.rt.resolve(inv.state, /[*?]/.test(namePart) ? clean.slice(0, cut + 1) || '.' : clean);
      const st = /[*?]/.test(namePart) ? undefined : inv.rt.vfs.stat(full);
      if (/[*?]/.test(namePart)) {
        dir = full;
        pattern = namePart;
      } else if (st?.type === 'directory') {
        dir = st.path;
        pattern = '*';
      } else {
        dir = parentOf(full);
        pattern = full.slice(full.lastIndexOf('\\') + 1);
      }
      if (inv.rt.vfs.stat(dir)?.type !== 'directory') {
        await err(inv, 'The system cannot find the path specified.\r\n');
        continue;
      }
      const all = pattern === '*' || pattern === '*.*';
      const n = await removeIn(dir, wildcardRegExp(pattern), all ? `${join(dir, '*')}, Are you sure (Y/N)? ` : undefined);
      if (n === 0) await err(inv, `Could Not Find ${join(dir, pattern)}\r\n`);
    } catch (e) {
      await err(inv, vfsMessage(inv, e));
    }
  }
  // del leaves ERRORLEVEL at 0 even when nothing was found.
  return 0;
};

// ---------------------------------------------------------------------------------------------
// copy, move, ren

function overwriteAllowed(inv: Invocation, p: Parsed): boolean | undefined {
  if (has(p, 'y')) return true;
  if (has(p, '-y')) return undefined;
  const copycmd = (inv.state.env.get('COPYCMD') ?? '').toLowerCase();
  if (copycmd.includes('/-y')) return undefined;
  if (copycmd.includes('/y')) return true;
  return undefined;
}

export const copyCmd: CmdProgram = async (inv) => {
  const p = parseArgs(inv);
  if (p.paths.length === 0) {
    await err(inv, SYNTAX_ERROR);
    return 1;
  }
  const srcWords = p.paths.length === 1 ? p.paths : p.paths.slice(0, -1);
  const destTyped = p.paths.length === 1 ? '.' : (p.paths[p.paths.length - 1]?.value ?? '.');
  let all = overwriteAllowed(inv, p) === true;
  let copied = 0;
  try {
    const sources: { st: VfsStat; shown: string }[] = [];
    let wild = false;
    for (const w of srcWords) {
      const e = expand(inv, w.value);
      if (!e.wildcard && e.target?.type === 'directory') {
        wild = true;
        for (const s of inv.rt.vfs.readdir(e.target.path)) if (s.type === 'file') sources.push({ st: s, shown: join(w.value.replace(/"/g, ''), s.name) });
      } else {
        if (e.wildcard) wild = true;
        for (const s of e.matches) if (s.type === 'file') sources.push({ st: s, shown: e.wildcard ? e.typedDir + s.name : w.value.replace(/"/g, '') });
      }
    }
    if (sources.length === 0) {
      await err(inv, 'The system cannot find the file specified.\r\n');
      await out(inv, '        0 file(s) copied.\r\n');
      return 1;
    }
    const dest = inv.rt.resolve(inv.state, destTyped.replace(/"/g, ''));
    const destStat = inv.rt.vfs.stat(dest);
    const intoDir = destStat?.type === 'directory';
    const concat = !intoDir && sources.length > 1;
    let text = '';
    const chunks: Uint8Array[] = [];
    for (const s of sources) {
      if (wild || sources.length > 1) text += `${s.shown}\r\n`;
      const target = intoDir ? join(destStat.path, s.st.name) : dest;
      if (target.toUpperCase() === s.st.path.toUpperCase()) {
        await out(inv, text);
        await err(inv, 'The file cannot be copied onto itself.\r\n');
        await out(inv, '        0 file(s) copied.\r\n');
        return 1;
      }
      if (concat) {
        chunks.push(inv.rt.vfs.readFile(s.st.path));
        continue;
      }
      if (inv.rt.vfs.stat(target) !== undefined && !all) {
        await out(inv, text);
        text = '';
        const answer = await confirm(inv, `Overwrite ${intoDir ? target : destTyped}? (Yes/No/All): `);
        if (answer === 'no') continue;
        if (answer === 'all') all = true;
      }
      inv.rt.vfs.copyFile(s.st.path, target);
      copied++;
    }
    if (concat) {
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const buf = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        buf.set(c, at);
        at += c.length;
      }
      inv.rt.vfs.writeFile(dest, buf);
      copied = 1;
    }
    await out(inv, `${text}${String(copied).padStart(9)} file(s) copied.\r\n`);
    return 0;
  } catch (e) {
    await err(inv, vfsMessage(inv, e));
    await out(inv, `${String(copied).padStart(9)} file(s) copied.\r\n`);
    return 1;
  }
};

export const moveCmd: CmdProgram = async (inv) => {
  const p = parseArgs(inv);
  if (p.paths.length < 1) {
    await err(inv, SYNTAX_ERROR);
    return 1;
  }
  const srcTyped = p.paths[0]?.value ?? '';
  const destTyped = p.paths.length > 1 ? (p.paths[p.paths.length - 1]?.value ?? '.') : '.';
  let all = overwriteAllowed(inv, p) === true;
  try {
    const e = expand(inv, srcTyped);
    const sources = e.wildcard ? e.matches.filter((s) => s.type === 'file') : e.matches;
    if (sources.length === 0) {
      await err(inv, 'The system cannot find the file specified.\r\n');
      return 1;
    }
    const dest = inv.rt.resolve(inv.state, destTyped.replace(/"/g, ''));
    const destStat = inv.rt.vfs.stat(dest);
    let files = 0;
    let dirs = 0;
    let text = '';
    for (const s of sources) {
      const target = destStat?.type === 'directory' ? join(destStat.path, s.name) : dest;
      if (e.wildcard) text += `${s.path}\r\n`;
      const existing = inv.rt.vfs.stat(target);
      if (existing !== undefined && existing.path.toUpperCase() !== s.path.toUpperCase()) {
        if (s.type === 'directory' || existing.type === 'directory') {
          await out(inv, text);
          await err(inv, 'Access is denied.\r\n');
          await out(inv, `${String(0).padStart(9)} ${s.type === 'directory' ? 'dir' : 'file'}(s) moved.\r\n`);
          return 1;
        }
        if (!all) {
          await out(inv, text);
          text = '';
          const answer = await confirm(inv, `Overwrite ${target}? (Yes/No/All): `);
          if (answer === 'no') continue;
          if (answer === 'all') all = true;
        }
        inv.rt.vfs.remove(target);
      }
      inv.rt.vfs.rename(s.path, target);
      if (s.type === 'directory') dirs++;
      else files++;
    }
    const what = dirs > 0 && files === 0 ? `${String(dirs).padStart(9)} dir(s) moved.` : `${String(files).padStart(9)} file(s) moved.`;
    await out(inv, `${text}${what}\r\n`);
    return 0;
  } catch (e) {
    await err(inv, vfsMessage(inv, e));
    return 1;
  }
};

const DUPLICATE = 'A duplicate file name exists, or the file\r\ncannot be found.\r\n';

export const renCmd: CmdProgram = async (inv) => {
  const p = parseArgs(inv);
  const [src, dst] = p.paths;
  if (src === undefined || dst === undefined || p.paths.length > 2 || /[\\/:]/.test(dst.value)) {
    await err(inv, SYNTAX_ERROR);
    return 1;
  }
  try {
    const e = expand(inv, src.value);
    if (e.matches.length === 0) {
      await err(inv, DUPLICATE);
      return 1;
    }
    let code = 0;
    for (const s of e.matches) {
      const newName = renameTarget(s.name, dst.value);
      const target = join(parentOf(s.path), newName);
      try {
        const existing = inv.rt.vfs.stat(target);
        if (existing !== undefined && existing.path.toUpperCase() !== s.path.toUpperCase()) throw new VfsError('EEXIST', target, '');
        inv.rt.vfs.rename(s.path, target);
      } catch (x) {
        if (!(x instanceof VfsError)) throw x;
        await err(inv, x.code === 'EEXIST' || x.code === 'ENOENT' ? DUPLICATE : vfsMessage(inv, x));
        code = 1;
      }
    }
    return code;
  } catch (e) {
    await err(inv, vfsMessage(inv, e));
    return 1;
  }
};

/** `ren *.txt *.bak`: each `*` in the target takes the source's corresponding part (common cases). */
function renameTarget(source: string, pattern: string): string {
  if (!/[*?]/.test(pattern)) return pattern;
  const dot = source.lastIndexOf('.');
  const stem = dot > 0 ? source.slice(0, dot) : source;
  const extension = dot > 0 ? source.slice(dot + 1) : '';
  const pdot = pattern.lastIndexOf('.');
  const pstem = pdot >= 0 ? pattern.slice(0, pdot) : pattern;
  const pext = pdot >= 0 ? pattern.slice(pdot + 1) : undefined;
  const fill = (pat: string, from: string): string => (pat === '*' ? from : [...pat].map((c, i) => (c === '?' ? (from[i] ?? '') : c === '*' ? from.slice(i) : c)).join(''));
  const newStem = fill(pstem, stem);
  if (pext === undefined) return newStem;
  const newExt = fill(pext, extension);
  return newExt === '' ? newStem : `${newStem}.${newExt}`;
}

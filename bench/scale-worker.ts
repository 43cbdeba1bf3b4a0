// Child side of scale.ts, run under `node --expose-gc`: the WS-Man core wired as the emulator
// wires it for cmd shells (host, sandbox backend behind the rules backend, journal of what ran,
// ShellManager, WsmanService), driven in process with pywinrm's envelopes. Prints one JSON line.
//   1. idle shells: heap (after full GCs) before and after opening N shells, per shell;
//   2. leak: heap after a warm-up of cycles, then after M more cycles (Create, Command echo hi,
//      Receive until Done, Signal, Delete), as a change in percent.
import { loadConfig } from '../src/config/load.js';
import { randomIds, systemClock } from '../src/core/clock.js';
import { Host } from '../src/hosts/host.js';
import { WsmanService } from '../src/wsman/service.js';
import { ShellManager } from '../src/shell/winrs/shells.js';
import { createRulesBackend } from '../src/sandbox/rules.js';
import { createSandboxBackend } from '../src/sandbox/backend.js';
import { createHostVfs } from '../src/sandbox/vfs/memory.js';
import { createPowerShell } from '../src/sandbox/powershell/index.js';
import { Journal, entryFromCommand } from '../src/sandbox/journal.js';
import { createDecoder } from '../src/shell/winrs/codepage.js';
import * as env from './lib/envelopes.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as { shells: number; warmupCycles: number; cycles: number; maxMs: number };
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const config = loadConfig({ env: {} }).config;
const host = new Host(config);
const journal = new Journal(config.sandbox.journalEntries);
const vfs = createHostVfs({ clock: systemClock, users: config.users.map((u) => u.name), limitBytes: config.sandbox.maxFileSystemBytes, maxFiles: config.sandbox.maxFiles });
const ps = createPowerShell({ vfs });
const sandbox = createSandboxBackend({ vfs, powershell: (script, ctx, o) => ps.runScript(script, ctx, o) });
const backend = createRulesBackend({ rules: config.sandbox.rules, strict: config.sandbox.strict, fallback: sandbox });
const shells = new ShellManager({
  host,
  clock: systemClock,
  ids: randomIds,
  backend,
  limits: { maxBufferedOutput: config.sandbox.maxBufferedOutputBytes },
  machineEnvironment: config.sandbox.environment,
  userEnvironment: config.sandbox.userEnvironment,
  onCommandExit: (shell, cmd) =>
    void journal.record(entryFromCommand(cmd, { host: host.computerName, user: shell.owner, shellId: shell.id, backendPrefix: '', now: Date.now(), decode: (b, cp) => createDecoder(cp)(b, true) })),

});
const service = new WsmanService({ host, clock: systemClock, ids: randomIds, resources: { cmdShell: shells.handlers().cmdShell } });
const user = host.findLocalUser('Administrator')!;
const principal = { user, mechanism: 'Basic' as const, displayName: `${host.computerName}\\${user.name}` };
const signal = new AbortController().signal;
async function call(xml: string): Promise<string> {
  const r = await service.handle({ text: xml, principal, tls: true, machine: '127.0.0.1', clientIp: '127.0.0.1', signal });
  if (r.status !== 200) throw new Error(`${r.operation} -> ${r.status} ${r.fault ?? ''}`);
  return r.xml;
}
const shellIdOf = (xml: string) => /<rsp:ShellId>([^<]+)</.exec(xml)![1]!;

async function cycle(): Promise<void> {
  const shell = shellIdOf(await call(env.create()));
  const cmd = /<rsp:CommandId>([^<]+)</.exec(await call(env.command(shell, 'echo hi')))![1]!;
  for (let i = 0; i < 1000 && !(await call(env.receive(shell, cmd))).includes('CommandState/Done'); i++);
  await call(env.signal(shell, cmd));
  await call(env.del(shell));
}

async function main(): Promise<void> {
  const deadline = performance.now() + opts.maxMs;
  // Warm the code paths once, so the idle-shell figure is not JIT and lazy module state.
  for (let i = 0; i < 200; i++) await cycle();
  const before = heap();
  const ids: string[] = [];
  for (let i = 0; i < opts.shells && performance.now() < deadline; i++) ids.push(shellIdOf(await call(env.create())));
  const after = heap();
  if (shells.size !== ids.length) throw new Error(`${shells.size} shells open, expected ${ids.length}`);
  const perShell = (after - before) / ids.length;
  for (const id of ids) await call(env.del(id));
  ids.length = 0;

  let done = 0;
  const t0 = performance.now();
  for (; done < opts.warmupCycles && performance.now() < deadline; done++) await cycle();
  const heapWarm = heap();
  let measured = 0;
  for (; measured < opts.cycles && performance.now() < deadline; measured++) await cycle();
  const heapEnd = heap();
  const seconds = (performance.now() - t0) / 1000;
  shells.closeAll();
  process.stdout.write(
    `${JSON.stringify({ shells: opts.shells, shellsOpened: opts.shells, perShellBytes: perShell, heapBeforeShells: before, heapWithShells: after, warmupCycles: done, cycles: measured, heapWarm, heapEnd, growth: (heapEnd - heapWarm) / heapWarm, cyclesPerSecond: (done + measured) / seconds })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`scale: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

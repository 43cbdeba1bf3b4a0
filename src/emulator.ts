// Wires the layers together for one or more emulated hosts: config → host → auth mechanisms →
// WS-Man service → one listener per configured Listener entry.
import type { Logger } from 'pino';
import type { EmulatorConfig, LoadedConfig } from './config/types.js';
import { loadConfig, checkExposure } from './config/load.js';
import { loadCertificateStore, describeMissingThumbprint, type CertificateStore } from './certs/store.js';
import { Host } from './hosts/host.js';
import { createBasicMechanism } from './auth/basic.js';
import { createNegotiateMechanism } from './auth/negotiate.js';
import { createKerberosMechanism } from './auth/kerberos.js';
import { createCertificateMechanism } from './auth/certificate.js';
import { KerberosService } from './auth/kerberos/acceptor.js';
import { createNativeGssAcceptor } from './auth/kerberos/native.js';
import { parseKeytab, principalName } from './auth/kerberos/keytab.js';
import { etypeName } from './auth/kerberos/crypto.js';
import { AccountLockout } from './auth/lockout.js';
import type { AuthMechanism } from './auth/types.js';
import { WsmanService, type Handler, type ResourceHandlers } from './wsman/service.js';
import type { Resource } from './wsman/catalog.js';
import type { OperationContext } from './wsman/service.js';
import { WsmanFault } from './wsman/faults.js';
import { Enumerations } from './wsman/enumeration.js';
import { configHandlers } from './wsman/config/handlers.js';
import { wmiHandlers, wmiInvoke, type WmiHandlersOptions } from './wsman/wmi/handlers.js';
import { EmulatorConfigSchema } from './config/schema.js';
import type { WinrmConfig } from './config/types.js';
import { parseDocument } from 'yaml';
import { CommandRun } from './shell/winrs/command.js';
import { ListenerManager, ListenerError } from './listener/manager.js';
import { createLogger } from './logging.js';
import { ShellManager } from './shell/winrs/shells.js';
import { UserOperations } from './shell/long-poll.js';
import { PsrpShellManager } from './shell/psrp/shells.js';
import type { PowerShellEngine } from './sandbox/powershell/index.js';
import type { PsrpEngine } from './shell/psrp/engine.js';
import type { CommandBackend } from './shell/backend.js';
import { createRulesBackend } from './sandbox/rules.js';
import { createSandboxBackend } from './sandbox/backend.js';
import type { CmdEngine } from './sandbox/cmd/index.js';
import { checkConfinement, createRealProcessBackend } from './sandbox/real-process.js';
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createHostVfs } from './sandbox/vfs/memory.js';
import { buildNetworkLogonToken } from './authz/token.js';
import { createDecoder } from './shell/winrs/codepage.js';
import { Journal, entryFromCommand } from './sandbox/journal.js';
import { appendFileSync, readFileSync as readKeytabFile } from 'node:fs';
import path from 'node:path';
import { EmulatorEvents } from './events.js';
import { randomIds, systemClock, type Clock, type IdSource } from './core/clock.js';

export interface EmulatorOptions {
  /** A loaded config, a plain config object (validated), or nothing for the embedded default. */
  readonly config?: LoadedConfig | EmulatorConfig;
  /** A YAML file merged over the embedded default (ignored when `config` is given). */
  readonly configFile?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  /** Bind every listener on port 0 (tests); the real ports are in `listeners`. */
  readonly ephemeralPorts?: boolean;
  /** Skip the refusal to expose default passwords on non-loopback addresses. */
  readonly allowDefaultPasswordsOnNetwork?: boolean;
  /** Where commands run; default: the sandbox. Tests may inject their own. */
  readonly backend?: CommandBackend;
  /** What runs PowerShell Remoting pipelines; default: the emulated PowerShell over the host's file system. */
  readonly psrpEngine?: PsrpEngine;
}

export interface ListenerInfo {
  readonly address: string;
  readonly transport: 'HTTP' | 'HTTPS';
  readonly port: number;
  readonly url: string;
  readonly thumbprint: string | undefined;
}

export interface Emulator {
  readonly config: EmulatorConfig;
  readonly host: Host;
  readonly listeners: readonly ListenerInfo[];
  readonly events: EmulatorEvents;
  readonly logger: Logger;
  readonly usesDefaultPasswords: boolean;
  readonly shells: ShellManager;
  /** PowerShell Remoting runspace pools (WS-Man shells on http://schemas.microsoft.com/powershell/…). */
  readonly psrp: PsrpShellManager;
  /** The record of what ran (bounded); `journal.list({ commandLine: /whoami/ })`. */
  readonly journal: Journal;
  close(): Promise<void>;
}

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

function isLoaded(c: LoadedConfig | EmulatorConfig): c is LoadedConfig {
  return (c as LoadedConfig).config !== undefined && (c as LoadedConfig).baseDir !== undefined;
}

/**
 * The Kerberos acceptor, when the config names a keytab (a domain-joined host): the keytab is read
 * here for the keys message encryption needs, and MIT reads it again through KRB5_KTNAME.
 */
function kerberosService(config: EmulatorConfig, logger: Logger): KerberosService | undefined {
  const k = config.kerberos;
  if (k.keytab === '') return undefined;
  let bytes: Buffer;
  try {
    bytes = readKeytabFile(k.keytab);
  } catch (e) {
    throw new StartupError(`kerberos.keytab: cannot read ${k.keytab}: ${(e as Error).message}`);
  }
  let entries;
  try {
    entries = parseKeytab(bytes);
  } catch (e) {
    throw new StartupError(`kerberos.keytab: ${k.keytab} is not a usable MIT keytab: ${(e as Error).message}`);
  }
  const realm = k.realm !== '' ? k.realm.toUpperCase() : config.domain.realm;
  const mine = entries.filter((e) => e.realm === realm);
  if (mine.length === 0) throw new StartupError(`kerberos.keytab: ${k.keytab} holds no key of realm ${realm} (it has ${[...new Set(entries.map(principalName))].join(', ') || 'nothing'})`);
  let gss;
  try {
    gss = createNativeGssAcceptor({ keytab: k.keytab, krb5Config: k.krb5Config });
  } catch (e) {
    throw new StartupError(`Kerberos is configured but ${(e as Error).message}`);
  }
  const principals = [...new Set(mine.map((e) => `${principalName(e)} (${etypeName(e.etype)}, kvno ${e.kvno})`))];
  logger.info({ event: 'kerberos.ready', realm, keytab: k.keytab, principals }, `Kerberos acceptor for realm ${realm}: ${principals.join('; ')}`);
  return new KerberosService({ realm, serviceName: k.serviceName, keytab: mine, gss });
}

/** Hard ceiling on a request body; the live MaxEnvelopeSizekb is checked below it (413). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Writes the live winrm/config back to the config file (server.persistConfigChanges). */
function persistWinrmConfig(loaded: LoadedConfig, winrm: WinrmConfig, logger: Logger): void {
  if (loaded.file === undefined) {
    logger.warn({ event: 'config.persist' }, 'server.persistConfigChanges is on, but the emulator runs on the embedded default: nothing to write to (start it with --config FILE)');
    return;
  }
  const doc = parseDocument(readFileSync(loaded.file, 'utf8'));
  doc.set('winrm', doc.createNode(JSON.parse(JSON.stringify(winrm)) as unknown));
  writeFileSync(`${loaded.file}.tmp`, doc.toString());
  renameSync(`${loaded.file}.tmp`, loaded.file);
}

/** Mechanisms this emulator implements, in the order Windows lists them (auth.md §1.2). */
function mechanisms(config: EmulatorConfig, extra: { kerberos?: KerberosService | undefined; store?: CertificateStore | undefined } = {}): readonly AuthMechanism[] {
  const p = config.policy;
  // One lockout for every scheme, so bad passwords count per account whatever the client uses.
  const lockout = new AccountLockout({
    threshold: p.AccountLockout.Threshold,
    windowMs: p.AccountLockout.ResetLockoutCounterAfterms,
    durationMs: p.AccountLockout.LockoutDurationms,
    includeBuiltinAdministrator: p.AccountLockout.AllowAdministratorLockout,
  });
  const list: AuthMechanism[] = [
    createNegotiateMechanism({ lockout, allowNtlmV1: p.AllowNtlmV1, allowAnonymous: p.AllowAnonymousNtlm, ...(extra.kerberos ? { kerberos: extra.kerberos } : {}) }),
  ];
  if (extra.kerberos) list.push(createKerberosMechanism(extra.kerberos));
  list.push(createBasicMechanism({ lockout }));
  // Client certificates: trusted when their issuer (or they themselves) is in the certificate store.
  const store = extra.store;
  list.push(createCertificateMechanism({ trusted: (thumbprint) => store?.get(thumbprint)?.x509 }));
  return list;
}

/** The same handlers, each waiting for `ready` before it runs. */
function afterLoading(handlers: ResourceHandlers, ready: () => Promise<unknown>): ResourceHandlers {
  return Object.fromEntries(
    Object.entries(handlers).map(([action, h]) => [
      action,
      async (ctx: OperationContext) => {
        await ready();
        return (h as Handler)(ctx);
      },
    ]),
  ) as ResourceHandlers;
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const loaded: LoadedConfig = options.config
    ? isLoaded(options.config)
      ? options.config
      : loadConfig({ overrides: options.config as never, env: {} })
    : loadConfig(options.configFile !== undefined ? { file: options.configFile } : {});
  const config = loaded.config;
  const logger = options.logger ?? createLogger(config.logging.level, undefined, config.logging);
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const events = new EmulatorEvents();

  if (!options.allowDefaultPasswordsOnNetwork) {
    const exposure = checkExposure(loaded);
    if (exposure) throw new StartupError(exposure);
  }

  const enabled = config.winrm.Listener.filter((l) => l.Enabled);
  let store: CertificateStore | undefined;
  if (enabled.some((l) => l.Transport === 'HTTPS')) {
    store = loadCertificateStore(config.certificateStore);
    for (const [i, l] of config.winrm.Listener.entries()) {
      if (l.Enabled && l.Transport === 'HTTPS' && !store.get(l.CertificateThumbprint)?.keyPem) {
        const where = loaded.file ?? '<embedded default>';
        throw new StartupError(`${where}: winrm.Listener[${i}].CertificateThumbprint: ${describeMissingThumbprint(store, l.CertificateThumbprint)}`);
      }
    }
  }

  const host = new Host(config);
  const authMechanisms = mechanisms(config, { kerberos: kerberosService(config, logger), store });
  if (config.winrm.Service.Auth.CredSSP) {
    logger.warn({ event: 'auth.credssp' }, 'Service/Auth/CredSSP is true, but CredSSP is not emulated: it is not offered, and CredSSP requests are refused as when it is disabled');
  }
  const journal = new Journal(config.sandbox.journalEntries);
  if (config.sandbox.journalFile !== '') {
    const file = path.resolve(loaded.baseDir, config.sandbox.journalFile);
    // One JSON line per command, written synchronously so it survives a crash.
    journal.onEntry((e) => appendFileSync(file, `${JSON.stringify(e)}\n`));
  }
  /** One journal entry for a command that ended (WinRS or a WMI-started process). */
  const recordCommand = (cmd: CommandRun, where: { user: string; shellId: string; backendPrefix: string }) =>
    journal.record(entryFromCommand(cmd, { ...where, host: host.computerName, now: clock.now(), decode: (b, cp) => createDecoder(cp)(b, true) }));

  // The host's virtual file system: Windows' default tree, each user's profile, then the config's seed.
  const vfs = createHostVfs({
    clock,
    users: [...config.users.map((u) => u.name), ...host.allDomainUsers().map((u) => u.name)],
    seed: { directories: config.sandbox.directories, files: config.sandbox.files },
    limitBytes: config.sandbox.maxFileSystemBytes,
    maxFiles: config.sandbox.maxFiles,
  });
  // The emulated PowerShell runs what cmd.exe starts as powershell/pwsh and what PSRP pipelines
  // run; programs it cannot resolve as commands (hostname, whoami, ipconfig…) are looked up on the
  // process's Path and run by the emulated cmd.exe's program table.
  const late: { cmd?: CmdEngine } = {};
  // The emulated PowerShell and its PSRP engine are imported after the listeners open (a fifth
  // of the start-up time, decision 0006): the first `powershell …` under cmd.exe and the first
  // PSRP request wait for them.
  let powershellLoading: Promise<{ readonly ps: PowerShellEngine; readonly engine: PsrpEngine }> | undefined;
  let powershellLoaded: { readonly ps: PowerShellEngine; readonly engine: PsrpEngine } | undefined;
  const loadPowerShell = () =>
    (powershellLoading ??= (async () => {
      const [{ createPowerShell }, { sandboxEngine }] = await Promise.all([import('./sandbox/powershell/index.js'), import('./shell/psrp/sandbox-engine.js')]);
      const ps = createPowerShell({
        vfs,
        externals: (name, args, ctx) => {
          const dirs = (ctx.spec.environment.get('Path') ?? 'C:\\Windows\\system32').split(';').filter(Boolean);
          const candidates = /[\\/]/.test(name) ? [name] : dirs.flatMap((d) => [`${d.replace(/\\$/, '')}\\${name}`]);
          for (const c of candidates) {
            for (const ext of /\.[a-z]{3}$/i.test(c) ? [''] : ['.exe', '.com']) {
              const run = late.cmd?.executable(c + ext);
              if (run) return run(ctx, args.join(' '));
            }
          }
          return undefined;
        },
      });
      powershellLoaded = { ps, engine: sandboxEngine(ps, { vfs }) };
      return powershellLoaded;
    })());
  const sandbox = createSandboxBackend({
    vfs,
    powershell: async (script, ctx, opts) => (await loadPowerShell()).ps.runScript(script, ctx, opts),
    cmd: {
      // whoami shows the caller's real network-logon token (groups, UAC filtering, auth package).
      token: (spec) =>
        buildNetworkLogonToken({
          computerName: host.computerName,
          machineSid: host.machineSid,
          // A domain account is found by its SID, for its domain groups (whoami prints EMU\alice).
          user: ((d) => (d ? { ...spec.host.user, domain: d } : spec.host.user))(host.findUserBySid(spec.host.user.sid)?.domain),
          authPackage: spec.host.authPackage ?? 'NTLM',
          policy: host.policy,
        }),
    },
  });
  late.cmd = sandbox.cmd;
  const persistFile = config.sandbox.persistFile === '' ? undefined : path.resolve(loaded.baseDir, config.sandbox.persistFile);
  if (persistFile && existsSync(persistFile)) {
    try {
      vfs.restore(JSON.parse(readFileSync(persistFile, 'utf8')));
    } catch (e) {
      throw new StartupError(`${loaded.file ?? '<embedded default>'}: sandbox.persistFile: cannot restore the file system from ${persistFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let emulated: CommandBackend = options.backend ?? sandbox;
  const real = config.sandbox.realProcess;
  if (real.enabled) {
    const confinement = checkConfinement(real);
    if (!confinement.confined && !real.allowUnconfined) throw new StartupError(confinement.warning);
    logger.warn({ event: 'sandbox.realProcess' }, `!! ${confinement.warning}`);
    emulated = createRealProcessBackend(real, confinement, emulated);
  }
  const backend = createRulesBackend({
    rules: config.sandbox.rules,
    strict: config.sandbox.strict,
    fallback: emulated,
    onUnmatched: (spec, closest) =>
      logger.warn({ event: 'sandbox.unmatched', commandLine: spec.commandLine, user: spec.host.user.name, closest }, `no scripted rule matched '${spec.commandLine}'; closest: ${closest.join('; ') || 'none'}`),
  });
  // MaxConcurrentOperationsPerUser counts a user's operations on cmd and PowerShell shells together.
  const operations = new UserOperations();
  const shells = new ShellManager({
    operations,
    host,
    clock,
    ids,
    backend,
    limits: { maxBufferedOutput: config.sandbox.maxBufferedOutputBytes },
    machineEnvironment: config.sandbox.environment,
    userEnvironment: config.sandbox.userEnvironment,
    onCommandExit: (shell, cmd) => {
      recordCommand(cmd, { user: shell.owner, shellId: shell.id, backendPrefix: '' });
      logger.info({ event: 'command.exited', shell: shell.id, command: cmd.id, user: shell.owner, exitCode: cmd.exitCode, backend: cmd.info.backend }, `command.exited ${cmd.spec.commandLine.slice(0, 120)} -> ${cmd.exitCode ?? 'terminated'}`);
    },
  });
  const shellHandlers = shells.handlers();
  // With the emulated PowerShell, every PowerShell Remoting handler first waits for it to load.
  const psrpEngine: PsrpEngine = options.psrpEngine ?? {
    name: 'sandbox',
    openRunspace: (o) => {
      if (!powershellLoaded) throw new Error('the emulated PowerShell is not loaded yet');
      return powershellLoaded.engine.openRunspace(o);
    },
  };
  const psrp = new PsrpShellManager({
    operations,
    host,
    clock,
    ids,
    engine: psrpEngine,
    maxBufferedOutput: config.sandbox.maxBufferedOutputBytes,
    // PowerShell Remoting pipelines join the journal of what ran (objects, so no text streams).
    onPipelineEnd: (shell, p) => {
      journal.record({
        host: host.computerName,
        user: shell.owner,
        shellId: shell.id,
        commandId: p.id,
        commandLine: p.description,
        stdin: '',
        stdout: '',
        stderr: '',
        bytes: { stdin: 0, stdout: 0, stderr: 0 },
        exitCode: p.state === 'Completed' ? 0 : p.state === 'Closed' ? undefined : 1,
        startedAt: new Date(p.startedAt).toISOString(),
        endedAt: new Date(p.endedAt ?? clock.now()).toISOString(),
        backend: `psrp:${psrpEngine.name}`,
      });
      logger.info({ event: 'pipeline.ended', shell: shell.id, pipeline: p.id, user: shell.owner, state: p.state }, `pipeline.ended ${p.description.slice(0, 120)} -> ${p.state}`);
    },
  });
  const enumerations = new Enumerations(clock, ids);
  const startedAtMs = clock.now();
  // Processes started through Win32_Process Create (bounded), shown by Win32_Process.
  const wmiProcesses: Array<{ pid: number; name: string; commandLine: string; owner: string; started: Date }> = [];
  let nextPid = 4000;
  const startWmiProcess = (ctx: OperationContext, commandLine: string, currentDirectory: string | undefined): number => {
    const pid = (nextPid += 4);
    const name = (/^\s*"?([^"\s]+)/.exec(commandLine)?.[1] ?? commandLine).split('\\').pop() ?? commandLine;
    wmiProcesses.push({ pid, name, commandLine, owner: ctx.principal.displayName, started: new Date(clock.now()) });
    if (wmiProcesses.length > 256) wmiProcesses.shift();
    const u = ctx.principal.user;
    const spec = {
      shellId: '',
      commandId: `WMI-${pid}`,
      command: commandLine,
      arguments: [],
      commandLine,
      environment: new Map([['SystemRoot', 'C:\\Windows'], ['USERNAME', u.name], ['COMPUTERNAME', host.computerName], ['Path', 'C:\\Windows\\system32;C:\\Windows']]),
      workingDirectory: currentDirectory ?? 'C:\\Windows\\system32',
      codepage: 437,
      skipCmdShell: false,
      noProfile: true,
      host: { computerName: host.computerName, machineSid: host.machineSid, os: host.os, user: { name: u.name, rid: u.rid, sid: u.sid, groups: u.groups } },
    };
    const program = backend.resolve(spec);
    if (program) {
      // A process without a console: its output is kept only in the journal.
      const run = new CommandRun(spec.commandId, spec, clock, { maxBufferedOutput: 1024 * 1024, maxQueuedStdin: 0 }, (c) => {
        recordCommand(c, { user: u.name, shellId: '', backendPrefix: 'wmi:' });
        const i = wmiProcesses.findIndex((p) => p.pid === pid);
        if (i >= 0) wmiProcesses.splice(i, 1);
      });
      run.sendInput(Buffer.alloc(0), true);
      // Nobody reads a console-less process's output: drain it as it comes (the journal keeps the start).
      const all = new Set(['stdout', 'stderr']);
      run.onChange(() => void run.take(Number.POSITIVE_INFINITY, 0, all));
      run.start(program);
    }
    return pid;
  };
  // The listeners are started below; configuration resources reach them through this holder.
  const lateListeners: { manager?: ListenerManager } = {};
  const validateConfig = (winrm: WinrmConfig): { ok: true; winrm: WinrmConfig } | { ok: false; problems: string[] } => {
    const r = EmulatorConfigSchema.safeParse({ ...config, winrm });
    return r.success ? { ok: true, winrm: r.data.winrm as WinrmConfig } : { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  };
  const configResource = configHandlers({
    host,
    enumerations,
    validate: validateConfig,
    listeners: {
      listeningOn: (l) => lateListeners.manager?.listeningOn(l) ?? [],
      async apply(next) {
        try {
          await lateListeners.manager?.apply(next);
        } catch (e) {
          if (e instanceof ListenerError) throw new WsmanFault('ConfigInvalidValue', { why: e.message });
          throw e;
        }
      },
      validate(raw) {
        const r = validateConfig({ ...host.winrm, Listener: [...host.winrm.Listener.filter((l) => l.Address !== raw.Address || l.Transport !== raw.Transport), raw as never] });
        return r.ok ? { ok: true, listener: r.winrm.Listener.at(-1)! } : r;
      },
    },
    onChange: (winrm) => {
      logger.info({ event: 'config.changed' }, 'winrm/config changed over WS-Man');
      if (config.server.persistConfigChanges) persistWinrmConfig(loaded, winrm, logger);
    },
  });
  const wmiOptions: WmiHandlersOptions = {
    host: {
      computerName: host.computerName,
      os: host.os,
      bootTime: new Date(startedAtMs - 3_600_000),
      installDate: new Date(Date.UTC(2019, 0, 9, 12, 0, 0)),
      now: () => new Date(clock.now()),
      processes: () => wmiProcesses,
      diskBytes: { size: 136_365_211_648, free: Math.max(0, 136_365_211_648 - vfs.usage().bytes - 24_000_000_000) },
    },
    enumerations,
    maxBatchItems: () => host.winrm.MaxBatchItems,
    enumerationTimeoutMs: () => host.winrm.Service.EnumerationTimeoutms,
    startProcess: (ctx, commandLine, currentDirectory) => startWmiProcess(ctx, commandLine, currentDirectory),
  };
  const wmiResource = { ...wmiHandlers(wmiOptions), Invoke: (ctx: OperationContext) => wmiInvoke(wmiOptions, ctx) };
  const resources: Partial<Record<Resource['kind'], ResourceHandlers>> = {
    cmdShell: shellHandlers.cmdShell,
    shell: psrp.shellResource(shellHandlers.shell, (ctx) => shells.shellItems(ctx)),
    powershell: options.psrpEngine ? psrp.handlers() : afterLoading(psrp.handlers(), loadPowerShell),
    config: configResource,
    wmi: wmiResource,
  };
  const service = new WsmanService({ host, clock, ids, resources });
  const startedAt = clock.now();
  const activity = { active: 0 };
  const listenerManager = new ListenerManager({
    certificateStore: config.certificateStore,
    ephemeralPorts: options.ephemeralPorts ?? false,
    factory: {
      host,
      service,
      mechanisms: authMechanisms,
      events,
      ids,
      clock,
      unencryptedRefusalStatus: config.server.unencryptedRefusalStatus,
      logger,
      keepAliveTimeoutMs: config.server.keepAliveTimeoutMs,
      // A hard ceiling on what a body may be; the pipeline answers 413 above the live MaxEnvelopeSizekb.
      bodyLimit: MAX_BODY_BYTES,
      health: () => ({ computerName: host.computerName, uptimeMs: clock.now() - startedAt, activeRequests: activity.active }),
      activity,
      maxTcpConnections: config.server.maxTcpConnections,
    },
  });
  lateListeners.manager = listenerManager;
  try {
    await listenerManager.apply(config.winrm.Listener);
  } catch (e) {
    await listenerManager.closeAll();
    if (e instanceof ListenerError) throw new StartupError(e.message);
    throw e;
  }
  // Listening: now the emulated PowerShell (a failure here is a bug, and the first use reports it too).
  setImmediate(() => void loadPowerShell().catch((e: unknown) => logger.error({ err: e }, 'loading the emulated PowerShell failed')));

  let closed = false;
  return {
    config,
    host,
    events,
    logger,
    usesDefaultPasswords: loaded.usesDefaultPasswords,
    shells,
    psrp,
    journal,
    get listeners() {
      return listenerManager.list().map((s) => ({ address: s.config.Address, transport: s.config.Transport, port: s.port, url: s.url, thumbprint: s.thumbprint }));
    },
    async close() {
      if (closed) return;
      closed = true;
      shells.closeAll();
      psrp.closeAll();
      if (persistFile) {
        // Write then rename, so a crash mid-write never leaves a half file.
        writeFileSync(`${persistFile}.tmp`, JSON.stringify(vfs.snapshot()));
        renameSync(`${persistFile}.tmp`, persistFile);
      }
      enumerations.closeAll();
      await listenerManager.closeAll();
    },
  };
}

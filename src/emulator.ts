// Wires the layers together for one or more emulated hosts: config → host → auth mechanisms →
// WS-Man service → one listener per configured Listener entry.
import type { Logger } from 'pino';
import type { EmulatorConfig, LoadedConfig } from './config/types.js';
import { loadConfig, checkExposure } from './config/load.js';
import { listenerBindHost } from './config/address.js';
import { loadCertificateStore, describeMissingThumbprint, type CertificateStore } from './certs/store.js';
import { Host } from './hosts/host.js';
import { createBasicMechanism } from './auth/basic.js';
import { createNegotiateMechanism } from './auth/negotiate.js';
import { AccountLockout } from './auth/lockout.js';
import type { AuthMechanism } from './auth/types.js';
import { WsmanService, type ResourceHandlers } from './wsman/service.js';
import type { Resource } from './wsman/catalog.js';
import { startListener, type RunningListener } from './listener/server.js';
import { createLogger } from './logging.js';
import { ShellManager } from './shell/winrs/shells.js';
import type { CommandBackend } from './shell/backend.js';
import { createRulesBackend } from './sandbox/rules.js';
import { createSandboxBackend } from './sandbox/backend.js';
import { checkConfinement, createRealProcessBackend } from './sandbox/real-process.js';
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createHostVfs } from './sandbox/vfs/memory.js';
import { buildNetworkLogonToken } from './authz/token.js';
import { createDecoder } from './shell/winrs/codepage.js';
import { Journal } from './sandbox/journal.js';
import { appendFileSync } from 'node:fs';
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

/** Mechanisms this emulator implements, in the order Windows lists them (auth.md §1.2). */
function mechanisms(config: EmulatorConfig): readonly AuthMechanism[] {
  const p = config.policy;
  // One lockout for every scheme, so bad passwords count per account whatever the client uses.
  const lockout = new AccountLockout({
    threshold: p.AccountLockout.Threshold,
    windowMs: p.AccountLockout.ResetLockoutCounterAfterms,
    durationMs: p.AccountLockout.LockoutDurationms,
    includeBuiltinAdministrator: p.AccountLockout.AllowAdministratorLockout,
  });
  return [createNegotiateMechanism({ lockout, allowNtlmV1: p.AllowNtlmV1, allowAnonymous: p.AllowAnonymousNtlm }), createBasicMechanism({ lockout })];
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const loaded: LoadedConfig = options.config
    ? isLoaded(options.config)
      ? options.config
      : loadConfig({ overrides: options.config as never, env: {} })
    : loadConfig(options.configFile !== undefined ? { file: options.configFile } : {});
  const config = loaded.config;
  const logger = options.logger ?? createLogger(config.logging.level);
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
  const authMechanisms = mechanisms(config);
  const journal = new Journal(config.sandbox.journalEntries);
  if (config.sandbox.journalFile !== '') {
    const file = path.resolve(loaded.baseDir, config.sandbox.journalFile);
    // One JSON line per command, written synchronously so it survives a crash.
    journal.onEntry((e) => appendFileSync(file, `${JSON.stringify(e)}\n`));
  }
  // The host's virtual file system: Windows' default tree, each user's profile, then the config's seed.
  const vfs = createHostVfs({
    clock,
    users: config.users.map((u) => u.name),
    seed: { directories: config.sandbox.directories, files: config.sandbox.files },
    limitBytes: config.sandbox.maxFileSystemBytes,
    maxFiles: config.sandbox.maxFiles,
  });
  const sandbox = createSandboxBackend({
    vfs,
    cmd: {
      // whoami shows the caller's real network-logon token (groups, UAC filtering, auth package).
      token: (spec) =>
        buildNetworkLogonToken({
          computerName: host.computerName,
          machineSid: host.machineSid,
          user: spec.host.user,
          authPackage: spec.host.authPackage ?? 'NTLM',
          policy: host.policy,
        }),
    },
  });
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
  const shells = new ShellManager({
    host,
    clock,
    ids,
    backend,
    limits: { maxBufferedOutput: config.sandbox.maxBufferedOutputBytes },
    machineEnvironment: config.sandbox.environment,
    userEnvironment: config.sandbox.userEnvironment,
    onCommandExit: (shell, cmd) => {
      const t = cmd.transcript;
      const text = (b: Buffer) => createDecoder(cmd.spec.codepage)(b, true);
      journal.record({
        host: host.computerName,
        user: shell.owner,
        shellId: shell.id,
        commandId: cmd.id,
        commandLine: cmd.spec.commandLine,
        stdin: text(t.bytes('stdin')),
        stdout: text(t.bytes('stdout')),
        stderr: text(t.bytes('stderr')),
        bytes: { ...t.totals },
        exitCode: cmd.exitCode,
        startedAt: new Date(cmd.startedAt).toISOString(),
        endedAt: new Date(cmd.endedAt ?? clock.now()).toISOString(),
        backend: cmd.info.backend ?? 'sandbox',
        ...(cmd.info.rule !== undefined ? { rule: cmd.info.rule } : {}),
      });
      logger.info({ event: 'command.exited', shell: shell.id, command: cmd.id, user: shell.owner, exitCode: cmd.exitCode, backend: cmd.info.backend }, `command.exited ${cmd.spec.commandLine.slice(0, 120)} -> ${cmd.exitCode ?? 'terminated'}`);
    },
  });
  const shellHandlers = shells.handlers();
  const resources: Partial<Record<Resource['kind'], ResourceHandlers>> = { cmdShell: shellHandlers.cmdShell, shell: shellHandlers.shell };
  const service = new WsmanService({ host, clock, ids, resources });
  const started: RunningListener[] = [];
  const startedAt = clock.now();
  try {
    for (const l of enabled) {
      const bindHost = listenerBindHost(l.Address);
      if (bindHost === undefined) throw new StartupError(`listener ${l.Address} cannot be bound by this emulator`);
      started.push(
        await startListener({
          host,
          listener: l,
          service,
          mechanisms: authMechanisms,
          events,
          ids,
          clock,
          unencryptedRefusalStatus: config.server.unencryptedRefusalStatus,
          logger,
          certificate: l.Transport === 'HTTPS' ? store?.get(l.CertificateThumbprint) : undefined,
          bindHost,
          port: options.ephemeralPorts ? 0 : l.Port,
          keepAliveTimeoutMs: config.server.keepAliveTimeoutMs,
          // Read a little past MaxEnvelopeSizekb so the pipeline itself answers 413.
          bodyLimit: config.winrm.MaxEnvelopeSizekb * 1024 + 1,
          health: () => ({ computerName: host.computerName, uptimeMs: clock.now() - startedAt }),
        }),
      );
    }
  } catch (e) {
    await Promise.allSettled(started.map((s) => s.app.close()));
    if (e instanceof Error && 'code' in e && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StartupError(`cannot listen: ${e.message}. Another WinRM emulator (or service) is already using that port; stop it or change winrm.Listener[].Port.`);
    }
    throw e;
  }

  let closed = false;
  return {
    config,
    host,
    events,
    logger,
    usesDefaultPasswords: loaded.usesDefaultPasswords,
    shells,
    journal,
    listeners: started.map((s) => ({ address: s.config.Address, transport: s.config.Transport, port: s.port, url: s.url, thumbprint: s.thumbprint })),
    async close() {
      if (closed) return;
      closed = true;
      shells.closeAll();
      if (persistFile) {
        // Write then rename, so a crash mid-write never leaves a half file.
        writeFileSync(`${persistFile}.tmp`, JSON.stringify(vfs.snapshot()));
        renameSync(`${persistFile}.tmp`, persistFile);
      }
      await Promise.allSettled(started.map((s) => s.app.close()));
    },
  };
}

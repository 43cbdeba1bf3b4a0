// A WS-Man core with PowerShell Remoting and no sockets: the service, the PSRP shell manager
// and the cmd shells beside it, on a fake clock that a pending request advances by itself.
import { loadConfig, type DeepPartial } from '../../src/config/load.js';
import type { EmulatorConfig } from '../../src/config/types.js';
import { FakeClock, SequentialIds } from '../../src/core/clock.js';
import { Host } from '../../src/hosts/host.js';
import { WsmanService, type ServiceResponse } from '../../src/wsman/service.js';
import { ShellManager } from '../../src/shell/winrs/shells.js';
import { minimalBackend } from '../../src/shell/minimal-backend.js';
import { PsrpShellManager, type PsrpShellOptions } from '../../src/shell/psrp/shells.js';
import { minimalEngine } from '../../src/shell/psrp/minimal-engine.js';
import type { PsrpEngine } from '../../src/shell/psrp/engine.js';
import type { Principal } from '../../src/auth/types.js';
import { configHandlers } from '../../src/wsman/config/handlers.js';
import { Enumerations } from '../../src/wsman/enumeration.js';
import { createHostVfs } from '../../src/sandbox/vfs/memory.js';
import { createPowerShell } from '../../src/sandbox/powershell/index.js';
import { sandboxEngine } from '../../src/shell/psrp/sandbox-engine.js';
import { PsrpTestClient, type Transport } from './psrp-client.js';

export interface PsrpCore {
  readonly clock: FakeClock;
  readonly host: Host;
  readonly psrp: PsrpShellManager;
  readonly service: WsmanService;
  as(user: string): Principal;
  /** One request; the fake clock moves in `stepMs` steps while it is pending (long polls, Start-Sleep). */
  call(xml: string, opts?: { who?: string; stepMs?: number; maxMs?: number }): Promise<ServiceResponse>;
  /** The same as a Transport for the test client. */
  transport(who?: string): Transport;
}

export function createPsrpCore(overrides: DeepPartial<EmulatorConfig> = {}, opts: { engine?: PsrpEngine } & Partial<Omit<PsrpShellOptions, 'host' | 'clock' | 'ids' | 'engine'>> = {}): PsrpCore {
  const config = loadConfig({ env: {}, overrides }).config;
  const clock = new FakeClock();
  const ids = new SequentialIds();
  const host = new Host(config);
  const shells = new ShellManager({ host, clock, ids, backend: minimalBackend });
  const psrp = new PsrpShellManager({ host, clock, ids, ...opts, engine: opts.engine ?? minimalEngine, random: opts.random ?? ((n) => Buffer.alloc(n, 7)) });
  const h = shells.handlers();
  // winrm/config answers Get as the emulator does (pypsrp reads it first); changes are refused here.
  const readOnly = (): { ok: false; problems: string[] } => ({ ok: false, problems: ['the PSRP test core does not change its configuration'] });
  const configResource = configHandlers({
    host,
    enumerations: new Enumerations(clock, ids),
    validate: readOnly,
    listeners: { listeningOn: () => [], apply: () => Promise.reject(new Error('no live listeners in the PSRP test core')), validate: readOnly },
  });
  const service = new WsmanService({ host, clock, ids, resources: { cmdShell: h.cmdShell, shell: psrp.shellResource(h.shell), powershell: psrp.handlers(), config: configResource } });
  const as = (name: string): Principal => {
    const user = host.findLocalUser(name);
    if (!user) throw new Error(`no user ${name}`);
    return { user, mechanism: 'Basic', displayName: `${host.computerName}\\${user.name}` };
  };
  const call: PsrpCore['call'] = async (xml, o = {}) => {
    let done = false;
    const p = service
      .handle({ text: xml, principal: as(o.who ?? 'Administrator'), tls: true, machine: '127.0.0.1', clientIp: '127.0.0.1', signal: new AbortController().signal })
      .finally(() => {
        done = true;
      });
    const step = o.stepMs ?? 100;
    const limit = o.maxMs ?? 120_000;
    for (let waited = 0; !done && waited <= limit; ) {
      for (let i = 0; i < 5 && !done; i++) {
        await new Promise((r) => setImmediate(r));
        clock.advance(0);
      }
      if (done) break;
      clock.advance(step);
      waited += step;
    }
    return p;
  };
  return {
    clock,
    host,
    psrp,
    service,
    as,
    call,
    transport: (who) => async (xml) => {
      const r = await call(xml, who !== undefined ? { who } : {});
      return { status: r.status, text: r.xml };
    },
  };
}

/** The emulated PowerShell behind PSRP, on a fresh file system with Administrator's profile. */
export function sandboxPsrpEngine(): PsrpEngine {
  const vfs = createHostVfs({ clock: new FakeClock(), users: ['Administrator'], seed: { directories: [], files: [] }, limitBytes: 64 * 1024 * 1024, maxFiles: 10_000 } as never);
  return sandboxEngine(createPowerShell({ vfs }));
}

/** The independent test client with a pool open on a core running the emulated PowerShell. */
export async function openSandboxClient(): Promise<PsrpTestClient> {
  const c = new PsrpTestClient(createPsrpCore({}, { engine: sandboxPsrpEngine() }).transport());
  await c.open();
  return c;
}

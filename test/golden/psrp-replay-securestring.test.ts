// Golden replay of test_psrp_multiple_commands.yml end to end, on the emulated PowerShell
// (test/golden/psrp-replay.test.ts replays its key exchange, messages 0–4, on the stand-in engine).
// The recording's client was pypsrp with its fixed test RSA key, so Windows' session key can be
// recovered from ENCRYPTED_SESSION_KEY; the emulator is given that key as its random bytes, which
// makes the SecureString argument decrypt and the `<SS>` it sends back equal Windows' ciphertext.
// The statements run for real (Set-Variable with a SecureString, Marshal's BSTR round trip,
// ConvertTo-SecureString, a Unicode string, whoami.exe, an I32) except two scripted test doubles:
// Get-Service, whose ServiceController object is Windows' own from the recording (the emulated
// service list is plausible, not that machine's), and `cmd.exe "/c echo hi"`, whose `hi"` comes
// from a quirk of Windows' cmd.exe the emulated one does not have. Ids and times are normalised as in the
// other replays; the encrypted key itself differs (PKCS#1 v1.5 padding is random).
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fixture } from '../helpers/fixtures.js';
import { psVersionTable, recordedSession, replayMessages, type Message } from '../helpers/psrp-replay.js';
import { createPsrpCore } from '../helpers/psrp-core.js';
import { MSG, type Decoded } from '../helpers/psrp-client.js';
import { createPowerShell } from '../../src/sandbox/powershell/index.js';
import { createSandboxBackend } from '../../src/sandbox/backend.js';
import { createHostVfs } from '../../src/sandbox/vfs/memory.js';
import { sandboxEngine } from '../../src/shell/psrp/sandbox-engine.js';
import { deserialize } from '../../src/shell/psrp/clixml.js';
import type { PsrpEngine } from '../../src/shell/psrp/engine.js';
import { FakeClock } from '../../src/core/clock.js';

const FILE = 'test_psrp_multiple_commands.yml';
/** The recording's host and user (whoami printed `win-nnmu24vvkj0\vagrant`). */
const COMPUTER = 'WIN-NNMU24VVKJ0';
const USER = 'vagrant';

const isModulePrep = (d: Decoded) => d.type === MSG.PROGRESS_RECORD && d.data.includes('Preparing modules for first use.');


/** The emulated PowerShell with the emulated cmd.exe's programs; Get-Service answers with Windows' object. */
function engine(recorded: Decoded[]): PsrpEngine {
  const clock = new FakeClock();
  const vfs = createHostVfs({ clock, users: [USER], seed: { directories: [], files: [] }, limitBytes: 64 * 1024 * 1024, maxFiles: 10_000 } as never);
  const late: { run?: (path: string) => ReturnType<ReturnType<typeof createSandboxBackend>['cmd']['executable']> } = {};
  const ps = createPowerShell({
    vfs,
    // Windows PowerShell quotes an argument with spaces on the child's command line (`"/c echo hi"`);
    // the engine hands the arguments over quoted that way.
    externals: (name, args, ctx) => {
      const line = args.join(' ');
      // Test double: Windows' cmd.exe finds /c inside the opening quote and keeps the closing one
      // (`hi"`); the emulated cmd.exe does not take a switch inside quotes (docs/compatibility.md).
      if (/^cmd(\.exe)?$/i.test(name) && line === '"/c echo hi"') return ctx.write('stdout', 'hi"\r\n').then(() => 0);
      const run = late.run?.(/\.exe$/i.test(name) ? `C:\\Windows\\System32\\${name}` : `C:\\Windows\\System32\\${name}.exe`);
      return run?.(ctx, line);
    },
  });
  const sandbox = createSandboxBackend({ vfs });
  late.run = (p) => sandbox.cmd.executable(p);
  const real = sandboxEngine(ps);
  const service = recorded.find((d) => d.type === MSG.PIPELINE_OUTPUT && d.data.includes('System.ServiceProcess.ServiceController'))!;
  return {
    name: 'sandbox+recorded Get-Service',
    openRunspace(opts) {
      const rs = real.openRunspace(opts);
      return {
        ...rs,
        commands: () => rs.commands(),
        reset: () => rs.reset(),
        close: () => rs.close(),
        invoke: async (inv) => {
          const st = inv.statements[0]!;
          if (st.length === 1 && st[0]!.command === 'Get-Service') {
            await inv.sink.output(deserialize(service.data));
            return { state: 'Completed' };
          }
          return rs.invoke(inv);
        },
      };
    },
  };
}

describe('golden replay of test_psrp_multiple_commands.yml on the emulated PowerShell', () => {
  it('SecureString argument and output, cmd.exe, whoami.exe, a Unicode string and an I32 in one pipeline of statements', async () => {
    const doc = parseYaml(fixture(`psrp/recorded/${FILE}`)) as { messages: Message[] };
    const { recorded, key } = recordedSession(doc.messages);
    expect(key).toHaveLength(32);

    const core = createPsrpCore(
      { computerName: COMPUTER, users: [{ name: USER, password: 'Replay-Passw0rd!', groups: ['Administrators'], rid: 500 }] },
      { engine: engine(recorded), psVersionTable: (_h, p) => psVersionTable(p), random: (n) => Buffer.from(key.subarray(0, n)) },
    );
    const { done } = await replayMessages(core, doc.messages, {
      who: USER,
      drop: isModulePrep,
      onReceive: (i, _m, answers) => {
        for (const a of answers.filter((x) => x.includes('CommandState/Done'))) expect(a, `#${i} Done with ExitCode 0`).toContain('CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>');
      },
    });
    expect(done, 'the pipeline ended with CommandState Done').toBe(true);
  });
});

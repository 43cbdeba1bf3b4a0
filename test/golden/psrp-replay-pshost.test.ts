// Golden replay of test_psrp_pshost_ui_mocked_methods.yml end to end on the emulated PowerShell:
// the recorded script itself runs — `$host.UI` ReadLine, ReadLineAsSecureString, Write1/Write2 with
// [System.ConsoleColor] values, WriteLine1/2/3, WriteErrorLine, Write{Debug,Verbose,Warning}Line,
// WriteProgress with a New-Object ProgressRecord, Prompt with a FieldDescription,
// PromptForCredential and PromptForChoice with ChoiceDescriptions — with no test double
// (test/golden/psrp-replay.test.ts replays the same recording on a scripted double that drives the
// host-call layer directly). The recording's client was pypsrp with its fixed test RSA key, so
// Windows' session key is recovered from ENCRYPTED_SESSION_KEY and given to the emulator as its
// random bytes: the SecureString and PSCredential that come back out equal Windows' ciphertext.
// Dropped as the module-loading artefact: Windows' "Preparing modules for first use." progress
// record and its WriteProgress call. Ids and times are normalised as in the other replays.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fixture } from '../helpers/fixtures.js';
import { psVersionTable, recordedSession, replayMessages, type Message } from '../helpers/psrp-replay.js';
import { createPsrpCore } from '../helpers/psrp-core.js';
import { MSG, type Decoded } from '../helpers/psrp-client.js';
import { createPowerShell } from '../../src/sandbox/powershell/index.js';
import { createHostVfs } from '../../src/sandbox/vfs/memory.js';
import { sandboxEngine } from '../../src/shell/psrp/sandbox-engine.js';
import type { PsrpEngine } from '../../src/shell/psrp/engine.js';
import { FakeClock } from '../../src/core/clock.js';

const FILE = 'test_psrp_pshost_ui_mocked_methods.yml';
/** The recording's host and user (rsp:Owner `WIN-NNMU24VVKJ0\vagrant`). */
const COMPUTER = 'WIN-NNMU24VVKJ0';
const USER = 'vagrant';

/** The CommandState a Receive response reports (Running, Pending, Done). */
const state = (xml: string) => /CommandState[^>]*State="[^"]*\/(\w+)"/.exec(xml)?.[1];
const isModulePrep = (d: Decoded) => (d.type === MSG.PROGRESS_RECORD || d.type === MSG.PIPELINE_HOST_CALL) && d.data.includes('Preparing modules for first use.');


/** The emulated PowerShell advertising the recording's $PSVersionTable (Windows Server 2016's 5.1.14393.2248). */
function recordedVersion(engine: PsrpEngine): PsrpEngine {
  return {
    name: engine.name,
    openRunspace(opts) {
      const rs = engine.openRunspace(opts);
      return { invoke: (inv) => rs.invoke(inv), commands: () => rs.commands(), reset: () => rs.reset(), close: () => rs.close() };
    },
  };
}

describe('golden replay of test_psrp_pshost_ui_mocked_methods.yml on the emulated PowerShell', () => {
  it('the recorded $host.UI script runs for real: every host call, Pending, the records and the typed results as Windows sent them', async () => {
    const doc = parseYaml(fixture(`psrp/recorded/${FILE}`)) as { messages: Message[] };
    const { key } = recordedSession(doc.messages);
    expect(key).toHaveLength(32);

    const clock = new FakeClock();
    const vfs = createHostVfs({ clock, users: [USER], seed: { directories: [], files: [] }, limitBytes: 64 * 1024 * 1024, maxFiles: 10_000 } as never);
    const core = createPsrpCore(
      { computerName: COMPUTER, users: [{ name: USER, password: 'Replay-Passw0rd!', groups: ['Administrators'], rid: 500 }] },
      { engine: recordedVersion(sandboxEngine(createPowerShell({ vfs }))), psVersionTable: (_h, p) => psVersionTable(p), random: (n) => Buffer.from(key.subarray(0, n)) },
    );
    const { expected, done } = await replayMessages(core, doc.messages, {
      who: USER,
      drop: isModulePrep,
      // A Receive that ends in a blocking host call says Pending, as Windows' did.
      onReceive: (i, m, answers) => {
        if (state(m.response) === 'Pending') expect(state(answers.at(-1) ?? ''), `#${i} CommandState`).toBe('Pending');
      },
    });
    // Fifteen host calls (five blocking) and the five outputs of the script.
    expect(expected.filter((d) => d.type === MSG.PIPELINE_HOST_CALL)).toHaveLength(15);
    expect(expected.filter((d) => d.type === MSG.PIPELINE_OUTPUT)).toHaveLength(5);
    expect(done, 'the pipeline ended with CommandState Done').toBe(true);
  });
});

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
import { describeMessage, isReceive, normaliseEnvelope, psVersionTable, recordedSessionKey, streamsOf, type Message } from '../helpers/psrp-replay.js';
import { createPsrpCore } from '../helpers/psrp-core.js';
import { MSG, Reassembler, type Decoded } from '../helpers/psrp-client.js';
import { createPowerShell } from '../../src/sandbox/powershell/index.js';
import { createHostVfs } from '../../src/sandbox/vfs/memory.js';
import { sandboxEngine } from '../../src/shell/psrp/sandbox-engine.js';
import type { PsrpEngine } from '../../src/shell/psrp/engine.js';
import { FakeClock } from '../../src/core/clock.js';

const FILE = 'test_psrp_pshost_ui_mocked_methods.yml';
/** The recording's host and user (rsp:Owner `WIN-NNMU24VVKJ0\vagrant`). */
const COMPUTER = 'WIN-NNMU24VVKJ0';
const USER = 'vagrant';

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
    const theirsAll = new Reassembler();
    const recorded = doc.messages.flatMap((m) => streamsOf(m.response).flatMap((s) => theirsAll.feed(s)));
    const encrypted = recorded.find((d) => d.type === MSG.ENCRYPTED_SESSION_KEY)!;
    const key = recordedSessionKey(/<S N="EncryptedSessionKey">([^<]+)</.exec(encrypted.data)![1]!);
    expect(key).toHaveLength(32);

    const clock = new FakeClock();
    const vfs = createHostVfs({ clock, users: [USER], seed: { directories: [], files: [] }, limitBytes: 64 * 1024 * 1024, maxFiles: 10_000 } as never);
    const core = createPsrpCore(
      { computerName: COMPUTER, users: [{ name: USER, password: 'Replay-Passw0rd!', groups: ['Administrators'], rid: 500 }] },
      { engine: recordedVersion(sandboxEngine(createPowerShell({ vfs }))), psVersionTable: (_h, p) => psVersionTable(p), random: (n) => Buffer.from(key.subarray(0, n)) },
    );
    const ours = new Map<string, Reassembler>();
    const theirs = new Map<string, Reassembler>();
    const target = (xml: string) => /<rsp:DesiredStream(?: CommandId="([^"]+)")?/.exec(xml)?.[1] ?? '';
    const state = (xml: string) => /CommandState[^>]*State="[^"]*\/(\w+)"/.exec(xml)?.[1];
    const pending: Decoded[] = [];
    const expected: Decoded[] = [];
    let done = false;
    for (const [i, m] of doc.messages.entries()) {
      if (!isReceive(m.request)) {
        const r = await core.call(m.request, { who: USER });
        expect(normaliseEnvelope(r.xml), `#${i}`).toBe(normaliseEnvelope(m.response));
        continue;
      }
      const key = target(m.request);
      if (!theirs.has(key)) theirs.set(key, new Reassembler());
      if (!ours.has(key)) ours.set(key, new Reassembler());
      expected.push(...streamsOf(m.response).flatMap((s) => theirs.get(key)!.feed(s)).filter((d) => !isModulePrep(d)));
      let last = '';
      // Receive until what Windows sent on this target so far has arrived (cut differently).
      for (let n = 0; pending.length < expected.length && n < 20; n++) {
        const r = await core.call(m.request, { who: USER });
        expect(r.status, `#${i} ${r.xml.slice(-400)}`).toBe(200);
        pending.push(...streamsOf(r.xml).flatMap((s) => ours.get(key)!.feed(s)));
        last = r.xml;
        if (r.xml.includes('CommandState/Done')) done = true;
      }
      // A Receive that ends in a blocking host call says Pending, as Windows' did.
      if (state(m.response) === 'Pending') expect(state(last), `#${i} CommandState`).toBe('Pending');
      expect(pending.slice(0, expected.length).map(describeMessage), `#${i} messages`).toEqual(expected.map(describeMessage));
    }
    expect(pending.map(describeMessage)).toEqual(expected.map(describeMessage));
    // Fifteen host calls (five blocking) and the five outputs of the script.
    expect(expected.filter((d) => d.type === MSG.PIPELINE_HOST_CALL)).toHaveLength(15);
    expect(expected.filter((d) => d.type === MSG.PIPELINE_OUTPUT)).toHaveLength(5);
    expect(done, 'the pipeline ended with CommandState Done').toBe(true);
  });
});

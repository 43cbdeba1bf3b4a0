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
import { canonClixml as canon, stripActivityId } from '../helpers/normalise.js';
import { createPsrpCore } from '../helpers/psrp-core.js';
import { MSG, MSG_NAME, Reassembler, parseClixml, type Decoded } from '../helpers/psrp-client.js';
import { createPowerShell } from '../../src/sandbox/powershell/index.js';
import { createSandboxBackend } from '../../src/sandbox/backend.js';
import { createHostVfs } from '../../src/sandbox/vfs/memory.js';
import { sandboxEngine } from '../../src/shell/psrp/sandbox-engine.js';
import { deserialize } from '../../src/shell/psrp/clixml.js';
import type { PsrpEngine } from '../../src/shell/psrp/engine.js';
import type { PsVersionTable } from '../../src/shell/psrp/records.js';
import { FakeClock } from '../../src/core/clock.js';

const FILE = 'test_psrp_multiple_commands.yml';
/** The recording's host and user (whoami printed `win-nnmu24vvkj0\vagrant`). */
const COMPUTER = 'WIN-NNMU24VVKJ0';
const USER = 'vagrant';

interface Message {
  request: string;
  response: string;
}

// pypsrp's test key: tests/tests_pypsrp/test_powershell.py gen_rsa_keypair (public test data).
const PYPSRP_D = BigInt(
  '21617696977064831737076881102083866512588021127782856037972563073160418492784722157229048881139551797965254106994729989171004895438848876105403145818526588448619012753150859908505079457128264842711189718538434996465875355972895683414261775421352553376878242391757860294122032733780201193753125763293334069627997366690578378643268496972715558088736335242616446993490560907175346811363459760219154246765368454269083276034064771683561116425318584728938420495690895295417261302673227504350398337950587166908640861984752151206832712112769733009288056773792011545187027621461752928443722277452545442134981026071169761569129',
);
const PYPSRP_N = BigInt(
  '24692106711502830011203227021058444318027801046612842012663747949974978593541529463344548800446917862266219189049856550539417324579114258210080798360122994007305091566363663241781504651372764226027210216355916383975880112316706422502404691353489765771310270171473497918954906308690817673196552680498374521519566949221302301125182104198985782657283395055909134373469597836420671163965867038455758131344733786842283328454828820406016508955409107145350345035248825315933976893356673777910251028486191789752627573225093968284278302684745743589192378470115772764709506475265246795419324395050366115533203601201395969892207',
);

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  let x = b % m;
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = (r * x) % m;
    x = (x * x) % m;
  }
  return r;
}

/** Windows' session key: the ENCRYPTED_SESSION_KEY blob's RSA part, reversed, PKCS#1 v1.5-decrypted (psrp.md §3.6). */
function recordedSessionKey(blobB64: string): Buffer {
  const c = BigInt(`0x${Buffer.from(blobB64, 'base64').subarray(12).reverse().toString('hex')}`);
  const em = Buffer.from(modPow(c, PYPSRP_D, PYPSRP_N).toString(16).padStart(512, '0'), 'hex');
  if (em[0] !== 0 || em[1] !== 2) throw new Error('not a PKCS#1 v1.5 block');
  return em.subarray(em.indexOf(0, 2) + 1);
}

// ---- decoding and normalising (as test/golden/psrp-replay.test.ts does) ---------------------

const streamsOf = (xml: string) => [...xml.matchAll(/<rsp:Stream [^>]*>([^<]*)<\/rsp:Stream>/g)].map((m) => m[1]!).filter((s) => s !== '');


function describeMessage(d: Decoded): string {
  const head = `${d.destination} ${MSG_NAME[d.type] ?? d.type.toString(16)} rpid=${d.rpid.toString('hex')} pid=${d.pid.toString('hex')}`;
  if (d.data === '') return head;
  return `${head} ${canon(parseClixml(d.data), new Map()).replace(/(<S N="EncryptedSessionKey">)[^<]*/, '$1KEY')}`;
}

function normaliseEnvelope(xml: string): string {
  let out = stripActivityId(xml);
  out = out.replace(/<a:MessageID>[^<]*<\/a:MessageID>/, '<a:MessageID>MSG</a:MessageID>');
  out = out.replace(/<a:RelatesTo>[^<]*<\/a:RelatesTo>/, '<a:RelatesTo>REQ</a:RelatesTo>');
  out = out.replace(/<a:Address>[^<]*<\/a:Address>/, '<a:Address>TO</a:Address>');
  out = out.replace(/Machine="[^"]*"/g, 'Machine="HOST"');
  for (const f of ['Owner', 'ClientIP', 'ProcessId', 'ShellRunTime', 'ShellInactivity', 'MemoryUsed']) out = out.replace(new RegExp(`<rsp:${f}>[^<]*</rsp:${f}>`, 'g'), `<rsp:${f}>X</rsp:${f}>`);
  return out.replace(/(<rsp:Stream [^>]*>)[^<]*(<\/rsp:Stream>)/g, '$1DATA$2');
}

const isReceive = (xml: string) => /\/windows\/shell\/Receive<\/\w+:Action>/.test(xml);
const isModulePrep = (d: Decoded) => d.type === MSG.PROGRESS_RECORD && d.data.includes('Preparing modules for first use.');

function psVersionTable(protocol: string): PsVersionTable {
  return {
    PSVersion: '5.1.14393.2248',
    PSEdition: 'Desktop',
    PSCompatibleVersions: ['1.0', '2.0', '3.0', '4.0', '5.0', '5.1.14393.2248'],
    CLRVersion: '4.0.30319.42000',
    BuildVersion: '10.0.14393.2248',
    WSManStackVersion: '3.0',
    PSRemotingProtocolVersion: protocol,
    SerializationVersion: '1.1.0.1',
  };
}

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
    const theirsAll = new Reassembler();
    const recorded = doc.messages.flatMap((m) => streamsOf(m.response).flatMap((s) => theirsAll.feed(s)));
    const encrypted = recorded.find((d) => d.type === MSG.ENCRYPTED_SESSION_KEY)!;
    const key = recordedSessionKey(/<S N="EncryptedSessionKey">([^<]+)</.exec(encrypted.data)![1]!);
    expect(key).toHaveLength(32);

    const core = createPsrpCore(
      { computerName: COMPUTER, users: [{ name: USER, password: 'Replay-Passw0rd!', groups: ['Administrators'], rid: 500 }] },
      { engine: engine(recorded), psVersionTable: (_h, p) => psVersionTable(p), random: (n) => Buffer.from(key.subarray(0, n)) },
    );
    const ours = new Map<string, Reassembler>();
    const theirs = new Map<string, Reassembler>();
    const target = (xml: string) => /<rsp:DesiredStream(?: CommandId="([^"]+)")?/.exec(xml)?.[1] ?? '';
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
      // Receive until what Windows sent on this target so far has arrived (cut differently).
      for (let n = 0; pending.length < expected.length && n < 20; n++) {
        const r = await core.call(m.request, { who: USER });
        expect(r.status, `#${i} ${r.xml.slice(-400)}`).toBe(200);
        pending.push(...streamsOf(r.xml).flatMap((s) => ours.get(key)!.feed(s)));
        if (r.xml.includes('CommandState/Done')) {
          done = true;
          expect(r.xml, `#${i} Done with ExitCode 0`).toContain('CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>');
        }
      }
      // The emulator may deliver more per Receive than Windows did: compare what both have sent.
      expect(pending.slice(0, expected.length).map(describeMessage), `#${i} messages`).toEqual(expected.map(describeMessage));
    }
    expect(pending.map(describeMessage)).toEqual(expected.map(describeMessage));
    expect(done, 'the pipeline ended with CommandState Done').toBe(true);
  });
});

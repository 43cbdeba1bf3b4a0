// Shared by the golden replays that run a recording on the emulated PowerShell with Windows'
// own session key (test_psrp_multiple_commands, test_psrp_pshost_ui_mocked_methods): the recording's
// client was pypsrp with its fixed test RSA key, so the key Windows chose can be recovered from
// ENCRYPTED_SESSION_KEY. Messages are compared decoded, ids and times normalised.
import { expect } from 'vitest';
import { canonClixml as canon, stripActivityId } from './normalise.js';
import { MSG_NAME, Reassembler, parseClixml, type Decoded } from './psrp-client.js';
import type { PsrpCore } from './psrp-core.js';
import type { PsVersionTable } from '../../src/shell/psrp/records.js';

export interface Message {
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
export function recordedSessionKey(blobB64: string): Buffer {
  const c = BigInt(`0x${Buffer.from(blobB64, 'base64').subarray(12).reverse().toString('hex')}`);
  const em = Buffer.from(modPow(c, PYPSRP_D, PYPSRP_N).toString(16).padStart(512, '0'), 'hex');
  if (em[0] !== 0 || em[1] !== 2) throw new Error('not a PKCS#1 v1.5 block');
  return em.subarray(em.indexOf(0, 2) + 1);
}


export const streamsOf = (xml: string) => [...xml.matchAll(/<rsp:Stream [^>]*>([^<]*)<\/rsp:Stream>/g)].map((m) => m[1]!).filter((s) => s !== '');


export function describeMessage(d: Decoded): string {
  const head = `${d.destination} ${MSG_NAME[d.type] ?? d.type.toString(16)} rpid=${d.rpid.toString('hex')} pid=${d.pid.toString('hex')}`;
  if (d.data === '') return head;
  return `${head} ${canon(parseClixml(d.data), new Map()).replace(/(<S N="EncryptedSessionKey">)[^<]*/, '$1KEY')}`;
}

export function normaliseEnvelope(xml: string): string {
  let out = stripActivityId(xml);
  out = out.replace(/<a:MessageID>[^<]*<\/a:MessageID>/, '<a:MessageID>MSG</a:MessageID>');
  out = out.replace(/<a:RelatesTo>[^<]*<\/a:RelatesTo>/, '<a:RelatesTo>REQ</a:RelatesTo>');
  out = out.replace(/<a:Address>[^<]*<\/a:Address>/, '<a:Address>TO</a:Address>');
  out = out.replace(/Machine="[^"]*"/g, 'Machine="HOST"');
  for (const f of ['Owner', 'ClientIP', 'ProcessId', 'ShellRunTime', 'ShellInactivity', 'MemoryUsed']) out = out.replace(new RegExp(`<rsp:${f}>[^<]*</rsp:${f}>`, 'g'), `<rsp:${f}>X</rsp:${f}>`);
  return out.replace(/(<rsp:Stream [^>]*>)[^<]*(<\/rsp:Stream>)/g, '$1DATA$2');
}

export const isReceive = (xml: string) => /\/windows\/shell\/Receive<\/\w+:Action>/.test(xml);

/** Windows Server 2016's $PSVersionTable as the recordings' host advertised it. */
export function psVersionTable(protocol: string): PsVersionTable {
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

/** Every message the recording's server sent, decoded, and the session key Windows chose. */
export function recordedSession(messages: readonly Message[]): { readonly recorded: Decoded[]; readonly key: Buffer } {
  const all = new Reassembler();
  const recorded = messages.flatMap((m) => streamsOf(m.response).flatMap((s) => all.feed(s)));
  const encrypted = recorded.find((d) => MSG_NAME[d.type] === 'ENCRYPTED_SESSION_KEY');
  if (!encrypted) throw new Error('the recording has no ENCRYPTED_SESSION_KEY');
  return { recorded, key: recordedSessionKey(/<S N="EncryptedSessionKey">([^<]+)</.exec(encrypted.data)![1]!) };
}

/**
 * Every recorded request in order on `core`, as `who`. Other responses must equal the recorded
 * ones once normalised; a Receive is repeated on its target until the emulator has sent what
 * Windows had sent there so far (the two cut messages into Receives differently), and messages
 * are compared decoded. `onReceive` sees each recorded Receive beside the emulator's answers to it.
 * Returns what Windows sent (less what `drop` leaves out) and whether a command ended Done.
 */
export async function replayMessages(
  core: PsrpCore,
  messages: readonly Message[],
  opts: { readonly who: string; readonly drop?: (d: Decoded) => boolean; readonly onReceive?: (i: number, recorded: Message, answers: readonly string[]) => void },
): Promise<{ readonly expected: Decoded[]; readonly done: boolean }> {
  const ours = new Map<string, Reassembler>();
  const theirs = new Map<string, Reassembler>();
  const target = (xml: string) => /<rsp:DesiredStream(?: CommandId="([^"]+)")?/.exec(xml)?.[1] ?? '';
  const pending: Decoded[] = [];
  const expected: Decoded[] = [];
  let done = false;
  for (const [i, m] of messages.entries()) {
    if (!isReceive(m.request)) {
      const r = await core.call(m.request, { who: opts.who });
      expect(normaliseEnvelope(r.xml), `#${i}`).toBe(normaliseEnvelope(m.response));
      continue;
    }
    const key = target(m.request);
    if (!theirs.has(key)) theirs.set(key, new Reassembler());
    if (!ours.has(key)) ours.set(key, new Reassembler());
    expected.push(...streamsOf(m.response).flatMap((s) => theirs.get(key)!.feed(s)).filter((d) => !(opts.drop?.(d) ?? false)));
    const answers: string[] = [];
    for (let n = 0; pending.length < expected.length && n < 20; n++) {
      const r = await core.call(m.request, { who: opts.who });
      expect(r.status, `#${i} ${r.xml.slice(-400)}`).toBe(200);
      pending.push(...streamsOf(r.xml).flatMap((s) => ours.get(key)!.feed(s)));
      answers.push(r.xml);
      if (r.xml.includes('CommandState/Done')) done = true;
    }
    opts.onReceive?.(i, m, answers);
    // The emulator may deliver more per Receive than Windows did: compare what both have sent.
    expect(pending.slice(0, expected.length).map(describeMessage), `#${i} messages`).toEqual(expected.map(describeMessage));
  }
  expect(pending.map(describeMessage)).toEqual(expected.map(describeMessage));
  return { expected, done };
}

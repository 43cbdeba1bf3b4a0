// Golden replays: the recorded client requests of shared/fixtures, sent in order to a real
// emulator over a socket; each response must equal the recorded Windows response once ids,
// times, the owner and the addressed machine are normalised, and once each stream's chunks are
// joined (chunk boundaries follow the process's writes and timing, not the protocol).
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fixture } from '../helpers/fixtures.js';
import { stripActivityId } from '../helpers/normalise.js';
import { startEmulator, type TestEmulator } from '../helpers/emulator.js';
import { basic, request } from '../helpers/http.js';

interface Message {
  request: string;
  response: string;
  transport_error?: { code: number };
}

const USER = { name: 'vagrant', password: 'Replay-Passw0rd!' };

/** The recording host SERVER2016's own machine and user environment (from its `set` output). */
const SERVER2016_ENV = {
  environment: {
    ChocolateyInstall: 'C:\\ProgramData\\chocolatey',
    Path: 'C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\;C:\\ProgramData\\chocolatey\\bin;C:\\Program Files (x86)\\vim\\vim80;C:\\Program Files\\Docker;C:\\Program Files\\Git\\cmd',
    PROCESSOR_IDENTIFIER: 'Intel64 Family 6 Model 70 Stepping 1, GenuineIntel',
    PROCESSOR_REVISION: '4601',
  },
  userEnvironment: { ChocolateyLastPathUpdate: 'Fri Dec  1 09:11:35 2017' },
};

/**
 * Files the emulator replays, with the sandbox it has. Not replayed, and why (docs/compatibility.md):
 * test_client_execute_cmd (`dir` of the recording host's profile: its files and times are not
 * ours) and test_client_execute_cmd_environment (another state of that host: Python and VS Code
 * on Path, a user variable left unexpanded).
 */
const REPLAYED: Array<[string, Record<string, unknown>]> = [
  ['pypsrp/test_winrs_standard.yml', {}],
  ['pypsrp/test_winrs_stderr_rc.yml', {}],
  ['pypsrp/test_winrs_bad_cmd_id.yml', {}],
  ['pypsrp/test_winrs_fail_poll_process.yml', {}],
  ['pypsrp/test_winrs_open_already_opened.yml', {}],
  ['pypsrp/test_winrs_environment.yml', SERVER2016_ENV],
  ['pypsrp/test_winrs_noprofile.yml', SERVER2016_ENV],
  ['pypsrp/test_winrs_send.yml', {}],
  ['pypsrp/test_winrs_unicode.yml', {}],
  ['pypsrp/test_winrs_extra_opts.yml', {}],
  ['pypsrp/test_winrs_no_cmd_shell.yml', {}],
  // Real time: two 10 s OperationTimeouts while `Start-Sleep 30` runs (about 30 s).
  ['pypsrp/test_winrs_operation_timeout.yml', {}],
];

const GUID = /[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/gi;

/** Joins consecutive data chunks of each stream into one, so chunking does not matter. */
function joinStreams(xml: string): string {
  return xml.replace(/<rsp:ReceiveResponse>([\s\S]*?)<rsp:CommandState/, (_m, streams: string) => {
    const data = new Map<string, Buffer[]>();
    const ends: string[] = [];
    for (const m of streams.matchAll(/<rsp:Stream Name="(\w+)" CommandId="([^"]+)"( End="true")?>([^<]*)<\/rsp:Stream>/g)) {
      const [, name = '', id = '', end, b64 = ''] = m;
      if (end) ends.push(`<rsp:Stream Name="${name}" CommandId="${id}" End="true"></rsp:Stream>`);
      else data.set(`${name} ${id}`, [...(data.get(`${name} ${id}`) ?? []), Buffer.from(b64, 'base64')]);
    }
    let out = '<rsp:ReceiveResponse>';
    for (const [key, parts] of data) {
      const [name, id] = key.split(' ');
      out += `<rsp:Stream Name="${name}" CommandId="${id}">${Buffer.concat(parts).toString('base64')}</rsp:Stream>`;
    }
    return out + ends.join('') + '<rsp:CommandState';
  });
}

function normalise(xml: string, ids: Map<string, string>): string {
  let out = joinStreams(stripActivityId(xml));
  out = out.replace(/<a:MessageID>[^<]*<\/a:MessageID>/, '<a:MessageID>uuid:MSG</a:MessageID>');
  out = out.replace(/<a:RelatesTo>[^<]*<\/a:RelatesTo>/, '<a:RelatesTo>uuid:REQ</a:RelatesTo>');
  out = out.replace(/<rsp:Owner>[^<]*<\/rsp:Owner>/, '<rsp:Owner>OWNER</rsp:Owner>');
  out = out.replace(/<rsp:ClientIP>[^<]*<\/rsp:ClientIP>/, '<rsp:ClientIP>CLIENT</rsp:ClientIP>');
  out = out.replace(/<a:Address>[^<]*<\/a:Address>/, '<a:Address>TO</a:Address>');
  out = out.replace(/Machine="[^"]*"/g, 'Machine="HOST"');
  // One recording echoes a Variable Name with a '\\' dropped although the process kept it
  // (wsman-protocol.md §4.2, fx pypsrp/test_winrs_environment): names are compared without them.
  out = out.replace(/(<rsp:Variable Name=")([^"]*)"/g, (_m, open: string, name: string) => `${open}${name.replace(/\\/g, '')}"`);
  return out.replace(GUID, (g) => ids.get(g.toUpperCase()) ?? g.toUpperCase());
}

describe('golden replay of recorded WinRS exchanges', () => {
  const emus: TestEmulator[] = [];
  afterAll(() => Promise.all(emus.map((e) => e.close())));

  for (const [file, sandbox] of REPLAYED) {
    it(`replays ${file}`, async () => {
      const emu = await startEmulator({
        computerName: 'SERVER2016',
        winrm: { Service: { AllowUnencrypted: true } },
        users: [{ name: USER.name, password: USER.password, groups: ['Administrators'], rid: 500 }],
        sandbox,
      });
      emus.push(emu);
      const doc = parseYaml(fixture(file)) as { messages: Message[] };
      // recorded id → stable label, learned from both sides as they appear.
      const recordedToLabel = new Map<string, string>();
      const oursToLabel = new Map<string, string>();
      const recordedToOurs = new Map<string, string>();
      for (const [i, m] of doc.messages.entries()) {
        // Replace recorded ShellId/CommandId values in the request with the ones we issued.
        const req = m.request.replace(GUID, (g) => recordedToOurs.get(g.toUpperCase()) ?? g);
        const r = await request(emu.http, {
          headers: { 'content-type': 'application/soap+xml;charset=UTF-8', authorization: basic(USER.name, USER.password) },
          body: req,
        });
        expect(r.status, `message ${i} status`).toBe(m.transport_error?.code ?? 200);
        // Learn the id correspondence from ShellId / CommandId elements and selectors.
        const idsIn = (xml: string) => [...xml.matchAll(/(?:ShellId|CommandId)(?:"|>)[^0-9A-F]*([0-9A-F-]{36})/gi)].map((x) => x[1]!.toUpperCase());
        const theirs = idsIn(m.response);
        const ours = idsIn(r.text);
        theirs.forEach((t, k) => {
          const o = ours[k];
          if (o === undefined) return;
          const label = recordedToLabel.get(t) ?? `ID${recordedToLabel.size + 1}`;
          recordedToLabel.set(t, label);
          oursToLabel.set(o, label);
          recordedToOurs.set(t, o);
        });
        expect(normalise(r.text, oursToLabel), `message ${i}`).toBe(normalise(m.response, recordedToLabel));
      }
    });
  }
});

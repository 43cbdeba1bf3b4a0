// The WinRS command cycle (Create, Command, Receive…Done, Signal, Delete: what pywinrm's run_cmd
// sends) over NTLM with message encryption on HTTP, against the same cycle over HTTPS with Basic,
// measured in the same run on the same emulator (performance.md: only ratios carry over).
// Also: how many new connections per second each can authenticate. The clients run in this
// process too (the NTLM client seals and unseals with the same in-house RC4), so both rows include
// their client's cost, as both modes do.
//
//   npx tsx bench/ntlm-vs-basic.ts            (BENCH_SECONDS=5 BENCH_CONNECTIONS=8 by default)
import https from 'node:https';
import { Writable } from 'node:stream';
import { createEmulator } from '../src/emulator.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/logging.js';
import { NtlmHttpClient } from '../test/helpers/ntlm.js';
import { A, env, pick } from '../test/helpers/core.js';
import { IDENTIFY } from '../test/helpers/http.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const ADMIN = { user: 'Administrator', password: 'Emu-Admin-Passw0rd!' };

interface Channel {
  call(xml: string): Promise<{ status: number; text: string }>;
  close(): void;
}

async function ntlmChannel(url: string): Promise<Channel> {
  const c = new NtlmHttpClient(url, ADMIN);
  const legs = await c.authenticate();
  if (legs.at(-1)?.status !== 200) throw new Error(`NTLM handshake failed: ${legs.map((l) => l.status).join(',')}`);
  return {
    async call(xml) {
      const r = await c.sealed(xml);
      return { status: r.status, text: r.plaintext ?? '' };
    },
    close: () => c.close(),
  };
}

function basicChannel(url: string): Channel {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
  const auth = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
  const u = new URL(url);
  return {
    call(xml) {
      const body = Buffer.from(xml);
      return new Promise((resolve, reject) => {
        const req = https.request(
          { method: 'POST', hostname: u.hostname, port: u.port, path: u.pathname, agent, headers: { authorization: auth, 'content-type': 'application/soap+xml;charset=UTF-8', 'content-length': body.length } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d: Buffer) => chunks.push(d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

async function ok(ch: Channel, xml: string): Promise<string> {
  const r = await ch.call(xml);
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 400)}`);
  return r.text;
}

/** One run_cmd('echo', ['hi']) as pywinrm sends it. */
async function cycle(ch: Channel): Promise<void> {
  const shellId = pick(/<rsp:ShellId>([^<]+)</, await ok(ch, env({ action: A.create, body: '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>', options: { WINRS_NOPROFILE: 'FALSE', WINRS_CODEPAGE: '437' } })));
  const commandId = pick(/<rsp:CommandId>([^<]+)</, await ok(ch, env({ action: A.command, shellId, body: '<rsp:CommandLine><rsp:Command>echo</rsp:Command><rsp:Arguments>hi</rsp:Arguments></rsp:CommandLine>', options: { WINRS_CONSOLEMODE_STDIN: 'TRUE', WINRS_SKIP_CMD_SHELL: 'FALSE' } })));
  for (;;) {
    const r = await ok(ch, env({ action: A.receive, shellId, body: `<rsp:Receive><rsp:DesiredStream CommandId="${commandId}">stdout stderr</rsp:DesiredStream></rsp:Receive>` }));
    if (r.includes('CommandState/Done')) break;
  }
  await ok(ch, env({ action: A.signal, shellId, body: `<rsp:Signal CommandId="${commandId}"><rsp:Code>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate</rsp:Code></rsp:Signal>` }));
  await ok(ch, env({ action: A.delete, shellId }));
}

async function measure(name: string, open: () => Promise<Channel> | Channel, work: (ch: Channel) => Promise<void>, reuse: boolean): Promise<number> {
  const deadline = Date.now() + SECONDS * 1000;
  let count = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      let ch = await open();
      try {
        while (Date.now() < deadline) {
          await work(ch);
          count++;
          if (!reuse) {
            ch.close();
            ch = await open();
          }
        }
      } finally {
        ch.close();
      }
    }),
  );
  const rate = count / ((Date.now() - started) / 1000);
  console.log(`  ${name.padEnd(44)} ${rate.toFixed(0).padStart(7)} /s   (${count} in ${SECONDS} s, ${CONNECTIONS} connections)`);
  return rate;
}

async function main(): Promise<void> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const emu = await createEmulator({ config: loadConfig({ env: {}, overrides: { logging: { level: 'silent' } } }), ephemeralPorts: true, logger: createLogger('silent', sink) });
  const url = (t: 'HTTP' | 'HTTPS') => emu.listeners.find((l) => l.transport === t)!.url.replace('localhost', '127.0.0.1');
  const httpUrl = url('HTTP');
  const httpsUrl = url('HTTPS');
  try {
    // Warm up both paths (JIT, TLS session setup).
    await measure('warm-up NTLM', () => ntlmChannel(httpUrl), cycle, true).catch((e: unknown) => {
      throw new Error(`NTLM cycle failed: ${String(e)}`);
    });
    await measure('warm-up Basic', () => basicChannel(httpsUrl), cycle, true);
    console.log(`\nWinRS command cycle (Create, Command, Receive, Signal, Delete), ${SECONDS} s each, alternating:`);
    const ntlm: number[] = [];
    const basic: number[] = [];
    for (let round = 0; round < 2; round++) {
      ntlm.push(await measure('NTLM + message encryption over HTTP', () => ntlmChannel(httpUrl), cycle, true));
      basic.push(await measure('Basic over HTTPS', () => basicChannel(httpsUrl), cycle, true));
    }
    console.log('\nNew connection + authentication + one Identify:');
    const ntlmConn = await measure('NTLM handshake (3 legs) + sealed Identify', () => ntlmChannel(httpUrl), async (ch) => void (await ok(ch, IDENTIFY)), false);
    const basicConn = await measure('TLS handshake + Basic Identify', () => basicChannel(httpsUrl), async (ch) => void (await ok(ch, IDENTIFY)), false);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log('\nRatios (NTLM-encrypted HTTP / HTTPS Basic):');
    console.log(`  command cycle            ${(avg(ntlm) / avg(basic)).toFixed(2)}`);
    console.log(`  new authenticated conn   ${(ntlmConn / basicConn).toFixed(2)}`);
  } finally {
    await emu.close();
  }
}

await main();

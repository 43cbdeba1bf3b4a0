// The Go WinRM library (github.com/masterzen/winrm, what Packer and Terraform use) against the
// emulator on real sockets. Debian 12 packages it as golang-github-masterzen-winrm-dev (git
// 2020-06-15 c42b513, with go-ntlmssp git 2022-06-21 cb9428e); test/interop/go/winrm_driver.go
// calls the library itself and is built once per run, offline, in GOPATH mode over Debian's sources
// (`apt-get install golang-go golang-github-masterzen-winrm-dev`; a missing toolchain or library is
// a skip with a printed reason locally and a failure under CI=true).
//
// What this library version does, on any WinRM server (read from its source):
// * It has no RunWithContext (added upstream later): Run, RunWithString, RunWithInput and the
//   Shell/Command API are what there is.
// * RunWithString sends stdin's end (Send End="true") only after the command has finished, so a
//   command that reads stdin to its end never ends; RunWithInput closes stdin first.
// * clientRequest.Post ignores the HTTP status of a SOAP answer (the deferred error is assigned to
//   locals, not to named results), so a fault comes back as a "successful" body: a w:TimedOut
//   Receive is polled again (what it wants) and an Access denied Create surfaces only later, as
//   "Command has already been closed".
// * Its NTLM transport (go-ntlmssp) never negotiates signing or sealing: it cannot do WinRM message
//   encryption, so over HTTP it needs AllowUnencrypted true, as against Windows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { buildGoWinrmDriver, clientEnv, goWinrmClient, run } from '../helpers/clients.js';

const go = goWinrmClient();

interface GoStep {
  readonly op: 'run_string' | 'run' | 'run_input' | 'powershell' | 'shell';
  readonly command?: string;
  readonly args?: readonly string[];
  readonly stdin?: string;
  readonly script?: string;
  readonly attach?: boolean;
}

interface GoResult {
  readonly op: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdout_len: number;
  readonly stderr_len: number;
  readonly stdout_sha256: string;
  readonly exit_code: number;
  readonly error?: string;
  readonly shell_id?: string;
  readonly ms: number;
}

interface GoOutcome {
  readonly ok: boolean;
  readonly error?: string;
  readonly results: GoResult[];
  /** With trace: every read and write on the library's TCP connections ("connN >> …", "connN << …"). */
  readonly trace?: string[];
}

interface GoSpec {
  readonly url: string;
  readonly transport?: 'basic' | 'ntlm';
  readonly username: string;
  readonly password: string;
  /** WS-Man OperationTimeout (Parameters.Timeout), PT60S by default. */
  readonly timeout?: string;
  readonly trace?: boolean;
  readonly steps: readonly GoStep[];
}

let driver = '';
let buildDir = '';

async function goWinrm(spec: GoSpec): Promise<GoOutcome> {
  const u = new URL(spec.url);
  const https = u.protocol === 'https:';
  const json = {
    host: u.hostname,
    port: Number(u.port),
    https,
    insecure: https, // the lab certificate is self-signed: Endpoint.Insecure (TLS InsecureSkipVerify)
    username: spec.username,
    password: spec.password,
    transport: spec.transport ?? 'basic',
    timeout: spec.timeout ?? '',
    trace: spec.trace ?? false,
    steps: spec.steps,
  };
  // The library uses http.ProxyFromEnvironment: keep loopback away from any proxy.
  const r = await run(driver, [], { input: JSON.stringify(json), env: clientEnv({ NO_PROXY: '*', no_proxy: '*' }), timeoutMs: 120_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as GoOutcome;
  } catch {
    throw new Error(`Go WinRM driver printed no result (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

const show = (o: GoOutcome) => JSON.stringify({ ...o, results: o.results.map((r) => ({ ...r, stdout: r.stdout.slice(0, 300) })), trace: o.trace?.map((l) => l.slice(0, 300)) }).slice(0, 6000);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The NTLM messages in the client's Authorization headers, decoded, in order. */
function ntlmTokensSent(trace: readonly string[]): Buffer[] {
  return trace
    .filter((l) => / >> /.test(l))
    .flatMap((l) => [...l.matchAll(/^Authorization: Negotiate (\S+)\r$/gm)].map((m) => Buffer.from(m[1] ?? '', 'base64')));
}

const NTLMSSP_NEGOTIATE_SIGN = 0x10;
const NTLMSSP_NEGOTIATE_SEAL = 0x20;

describe.skipIf(!go.available)('Go WinRM library (masterzen/winrm)', () => {
  beforeAll(async () => {
    buildDir = mkdtempSync(join(tmpdir(), 'winrm-emu-go-'));
    const started = Date.now();
    driver = await buildGoWinrmDriver(buildDir);
    console.log(`[interop] built the Go WinRM driver in ${Date.now() - started} ms`);
  }, 300_000);
  afterAll(() => {
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  describe('HTTPS with Basic (Endpoint.Insecure skips certificate checks)', () => {
    let emu: TestEmulator;
    const admin = () => ({ url: emu.https, username: LAB.admin.name, password: LAB.admin.password });
    beforeAll(async () => {
      emu = await startEmulator();
    });
    afterAll(() => emu.close());

    it("RunWithString('echo hi', '') returns stdout 'hi\\r\\n' and exit code 0", async () => {
      const r = await goWinrm({ ...admin(), steps: [{ op: 'run_string', command: 'echo hi' }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: 'hi\r\n', stderr: '', exit_code: 0 });
      expect(emu.journal.list({ commandLine: 'echo hi' })[0]).toMatchObject({ user: 'Administrator', backend: 'cmd', stdout: 'hi\r\n', exitCode: 0 });
    });

    it("Run('cmd /c exit 3') returns exit code 3", async () => {
      const r = await goWinrm({ ...admin(), steps: [{ op: 'run', command: 'cmd /c exit 3' }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: '', stderr: '', exit_code: 3 });
    });

    it('Run keeps stderr apart from stdout', async () => {
      const r = await goWinrm({ ...admin(), steps: [{ op: 'run', command: 'cmd /c echo err 1>&2' }, { op: 'run', command: 'echo out && echo err>&2 && exit 1' }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: '', stderr: 'err \r\n', exit_code: 0 });
      expect(r.results[1]).toMatchObject({ stdout: 'out \r\n', stderr: 'err \r\n', exit_code: 1 });
    });

    it('RunWithInput feeds stdin, then its end, to findstr and more', async () => {
      const r = await goWinrm({
        ...admin(),
        steps: [
          { op: 'run_input', command: 'findstr x', stdin: 'axb\r\nnope\r\nxx\r\n' },
          { op: 'run_input', command: 'more', stdin: 'first line\r\nsecond line\r\n' },
          { op: 'run_input', command: 'findstr zzz', stdin: 'nothing here\r\n' },
        ],
      });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: 'axb\r\nxx\r\n', stderr: '', exit_code: 0 });
      expect(r.results[1]).toMatchObject({ stdout: 'first line\r\nsecond line\r\n', exit_code: 0 });
      expect(r.results[2]).toMatchObject({ stdout: '', exit_code: 1 });
      expect(emu.journal.list({ commandLine: 'findstr x' })[0]).toMatchObject({ stdin: 'axb\r\nnope\r\nxx\r\n', bytes: { stdin: 15 } });
    });

    it('RunWithString with stdin: a command that reads one line gets it (the end of stdin comes only after the command ends)', async () => {
      // set /p reads a line without waiting for the end of stdin; call expands %X% again after it ran.
      const r = await goWinrm({ ...admin(), steps: [{ op: 'run_string', command: 'set /p X=&call echo got %X%', stdin: 'hello\r\n' }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: 'got hello\r\n', stderr: '', exit_code: 0 });
      expect(emu.journal.list({ commandLine: 'set /p X=' })[0]).toMatchObject({ stdin: 'hello\r\n' });
    });

    it('delivers more than 1 MB of output from a PowerShell loop, byte for byte', async () => {
      const line = (i: number) => `${String(i).padStart(8, '0')} abcdefghijklmnopqrstuvwxyz0123456789\r\n`;
      const expected = Array.from({ length: 30_000 }, (_, i) => line(i + 1)).join('');
      const logsBefore = emu.logs.length;
      const r = await goWinrm({
        ...admin(),
        steps: [{ op: 'run', command: `powershell -NoProfile -Command "1..30000 | ForEach-Object { '{0:D8} abcdefghijklmnopqrstuvwxyz0123456789' -f $_ }"` }],
      });
      expect(r.ok, show(r)).toBe(true);
      expect(expected.length).toBe(1_410_000);
      expect(r.results[0]).toMatchObject({ exit_code: 0, stderr: '', stdout_len: expected.length, stdout_sha256: sha256(expected) });
      // It travelled in several Receives: the library's MaxEnvelopeSize is 153600 bytes.
      const receives = emu.logs.slice(logsBefore).filter((l) => l.includes('"op":"Receive"') && l.includes('-> 200')).length;
      expect(receives).toBeGreaterThan(10);
    });

    it('keeps polling through w:TimedOut Receives when a command outlasts OperationTimeout', async () => {
      const r = await goWinrm({ ...admin(), timeout: 'PT1S', steps: [{ op: 'run_string', command: 'powershell -Command "Start-Sleep -Seconds 3; Write-Output done"' }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: 'done\r\n', exit_code: 0 });
      expect(r.results[0]?.ms).toBeGreaterThanOrEqual(2_900);
      expect(emu.logs.some((l) => l.includes('Receive user=WIN-EMU01\\\\Administrator -> 500 w:TimedOut 2150858793'))).toBe(true);
    });

    it('an explicit shell: CreateShell, two Executes (one with stdin), Wait, Close', async () => {
      const r = await goWinrm({
        ...admin(),
        steps: [
          { op: 'shell', command: 'hostname' },
          { op: 'shell', command: 'findstr', args: ['/n', 'b'], stdin: 'a\r\nb\r\nab\r\n' },
        ],
      });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: 'WIN-EMU01\r\n', stderr: '', exit_code: 0 });
      expect(r.results[1]).toMatchObject({ stdout: '2:b\r\n3:ab\r\n', stderr: '', exit_code: 0 });
      expect(emu.shells.size).toBe(0); // Shell.Close deleted them
    });

    it('client.NewShell(id) attaches to a shell opened with the library\'s own Create request', async () => {
      const r = await goWinrm({ ...admin(), steps: [{ op: 'shell', attach: true, command: 'whoami' }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: 'win-emu01\\administrator\r\n', exit_code: 0 });
      const shellId = r.results[0]?.shell_id ?? '';
      expect(shellId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
      expect(emu.journal.list({ shellId })[0]).toMatchObject({ commandLine: 'whoami', exitCode: 0 });
    });

    it("client.Run(winrm.Powershell('Write-Output 42')) runs powershell.exe -EncodedCommand", async () => {
      const r = await goWinrm({ ...admin(), steps: [{ op: 'powershell', script: 'Write-Output 42' }, { op: 'powershell', script: '$x = 6 * 7; "answer=$x"; exit 4' }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: '42\r\n', stderr: '', exit_code: 0 });
      expect(r.results[1]).toMatchObject({ stdout: 'answer=42\r\n', exit_code: 4 });
      const utf16 = Buffer.from('Write-Output 42', 'utf16le').toString('base64');
      expect(emu.journal.list({ commandLine: `powershell.exe -EncodedCommand ${utf16}` })[0]).toMatchObject({ stdout: '42\r\n', exitCode: 0 });
    });

    it('RunWithInput of 430 KB splits stdin into Sends of EnvelopeSize-1000 bytes, and all of it arrives', async () => {
      const big = Array.from({ length: 10_000 }, (_, i) => `line ${String(i).padStart(5, '0')} ${'abcdefghij'.repeat(3)}\r\n`).join('');
      const logsBefore = emu.logs.length;
      const r = await goWinrm({ ...admin(), steps: [{ op: 'run_input', command: 'findstr /v zzz', stdin: big }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ exit_code: 0, stderr: '', stdout_len: big.length, stdout_sha256: sha256(big) });
      // 152600 + 152600 + 124800 bytes, then the empty Send with End="true".
      expect(emu.logs.slice(logsBefore).filter((l) => l.includes('"op":"Send","status":200'))).toHaveLength(4);
      expect(emu.journal.list({ commandLine: 'findstr /v zzz' })[0]).toMatchObject({ bytes: { stdin: big.length, stdout: big.length } });
    });

    it('UTF-8 output under the WINRS_CODEPAGE 65001 the library asks for', async () => {
      const text = 'héllo ✓ こんにちは';
      const r = await goWinrm({ ...admin(), steps: [{ op: 'run_string', command: `echo ${text}` }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: `${text}\r\n`, stdout_len: Buffer.byteLength(`${text}\r\n`), exit_code: 0 });
    });

    it('a wrong password gets HTTP 401, which the library reports as its error', async () => {
      const r = await goWinrm({ ...admin(), password: 'not-the-password', steps: [{ op: 'run_string', command: 'echo hi' }] });
      expect(r.ok).toBe(false);
      expect(r.results[0]).toMatchObject({ error: 'http response error: 401 - invalid content type', stdout: '' });
      expect(emu.logs.some((l) => l.includes("auth.failed Basic: wrong password for 'Administrator'"))).toBe(true);
    });

    it('a user without WinRM access: the emulator answers Access denied, which this library surfaces only as a closed command', async () => {
      const r = await goWinrm({ ...admin(), username: LAB.visitor.name, password: LAB.visitor.password, steps: [{ op: 'run_string', command: 'echo hi' }] });
      // The library ignores the 500 status (see the header comment) and parses the fault as a
      // Create answer with no ShellId, so the error is its own, with exit code 0.
      expect(r.results[0]).toMatchObject({ error: 'Command has already been closed', stdout: '', exit_code: 0 });
      expect(emu.logs.some((l) => l.includes('Create user=WIN-EMU01\\\\visitor -> 500 w:AccessDenied 5'))).toBe(true);
      expect(emu.journal.list({ user: 'visitor' })).toHaveLength(0);
    });

    it('NTLM (winrm.ClientNTLM) over HTTPS works: TLS counts as encryption, and no channel binding is required at CbtHardeningLevel Relaxed', async () => {
      const r = await goWinrm({ ...admin(), transport: 'ntlm', steps: [{ op: 'run_string', command: 'whoami' }] });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: 'win-emu01\\administrator\r\n', exit_code: 0 });
    });
  });

  describe('HTTPS with NTLM (winrm.ClientNTLM), CbtHardeningLevel Strict', () => {
    let emu: TestEmulator;
    beforeAll(async () => {
      emu = await startEmulator({ winrm: { Service: { Auth: { CbtHardeningLevel: 'Strict' } } } });
    });
    afterAll(() => emu.close());

    it('is refused with 401: go-ntlmssp sends no channel binding token (no MsvAvChannelBindings)', async () => {
      const r = await goWinrm({ url: emu.https, transport: 'ntlm', username: LAB.admin.name, password: LAB.admin.password, steps: [{ op: 'run_string', command: 'whoami' }] });
      expect(r.ok).toBe(false);
      expect(r.results[0]).toMatchObject({ error: 'http response error: 401 - invalid content type', stdout: '' });
      expect(emu.logs.some((l) => l.includes('no channel binding token over HTTPS while CbtHardeningLevel is Strict'))).toBe(true);
      expect(emu.journal.list({})).toHaveLength(0);
    });
  });

  describe('HTTP with NTLM (winrm.ClientNTLM), default config: AllowUnencrypted false', () => {
    let emu: TestEmulator;
    beforeAll(async () => {
      emu = await startEmulator();
    });
    afterAll(() => emu.close());

    it('is refused with 401 at authentication time, as Windows refuses a context that cannot seal (auth.md §1.7, packer#6205)', async () => {
      const r = await goWinrm({ url: emu.http, transport: 'ntlm', username: LAB.admin.name, password: LAB.admin.password, trace: true, steps: [{ op: 'run_string', command: 'whoami' }] });
      expect(r.ok).toBe(false);
      expect(r.results[0]).toMatchObject({ error: 'http response error: 401 - invalid content type' });
      // go-ntlmssp's NEGOTIATE asks for neither signing nor sealing: message encryption is impossible.
      const [negotiate, authenticate] = ntlmTokensSent(r.trace ?? []);
      expect(negotiate?.subarray(0, 12).toString('latin1')).toBe('NTLMSSP\0\x01\0\0\0');
      expect((negotiate?.readUInt32LE(12) ?? 0) & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)).toBe(0);
      expect(authenticate?.readUInt32LE(8)).toBe(3);
      // The credentials were right; the refusal is about sealing, and no SOAP body was processed.
      expect(emu.logs.some((l) => l.includes('auth.failed Negotiate: the Negotiate context cannot seal (no NTLMSSP_NEGOTIATE_SEAL) and Service/AllowUnencrypted is false on HTTP'))).toBe(true);
      expect(r.trace?.filter((l) => l.includes(' << HTTP/1.1 401 '))).toHaveLength(3);
      expect(emu.journal.list({})).toHaveLength(0);
    });
  });

  describe('HTTP with NTLM (winrm.ClientNTLM), AllowUnencrypted true (what Packer and Terraform document for this library)', () => {
    let emu: TestEmulator;
    beforeAll(async () => {
      // Needed: this library cannot encrypt WinRM messages, so it needs plaintext allowed over
      // HTTP, exactly as against Windows (`winrm set winrm/config/service @{AllowUnencrypted="true"}`).
      emu = await startEmulator({ winrm: { Service: { AllowUnencrypted: true } } });
    });
    afterAll(() => emu.close());

    it('authenticates once per connection and runs commands with plaintext SOAP', async () => {
      const r = await goWinrm({
        url: emu.http,
        transport: 'ntlm',
        username: LAB.admin.name,
        password: LAB.admin.password,
        trace: true,
        steps: [
          { op: 'run_string', command: 'whoami' },
          { op: 'run_input', command: 'findstr /v b', stdin: 'a\r\nb\r\nc\r\n' },
          { op: 'powershell', script: 'Write-Output 42' },
        ],
      });
      expect(r.ok, show(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ stdout: 'win-emu01\\administrator\r\n', stderr: '', exit_code: 0 });
      expect(r.results[1]).toMatchObject({ stdout: 'a\r\nc\r\n', exit_code: 0 });
      expect(r.results[2]).toMatchObject({ stdout: '42\r\n', exit_code: 0 });
      const trace = r.trace ?? [];
      // Each connection authenticates once (NEGOTIATE, AUTHENTICATE); the Negotiator's anonymous
      // first try then finds it authenticated for every later request. RunWithInput's Sends run
      // beside the Receive goroutine, so the library usually opens a second connection, which
      // authenticates on its own.
      const conns = [...new Set(trace.map((l) => l.split(' ')[0] ?? ''))];
      for (const c of conns) {
        const lines = trace.filter((l) => l.startsWith(`${c} `));
        // Go's http.Transport may dial a connection that it then never uses.
        if (!lines.some((l) => l.includes(' >> '))) continue;
        expect(ntlmTokensSent(lines).map((t) => t.readUInt32LE(8)), `${c}: ${JSON.stringify(lines.map((l) => l.slice(0, 300)))}`).toEqual([1, 3]);
      }
      const requests = trace.filter((l) => / >> POST \/wsman /.test(l)).length;
      expect(requests).toBeGreaterThan(conns.length * 2 + 6);
      expect(trace.some((l) => / >> POST \/wsman HTTP\/1\.1\r\n[^]*Content-Type: application\/soap\+xml;charset=UTF-8/.test(l))).toBe(true);
      expect(trace.some((l) => l.includes('multipart/encrypted'))).toBe(false);
      expect(emu.journal.list({ commandLine: 'whoami' })[0]).toMatchObject({ user: 'Administrator' });
    });

    it('a wrong password gets 401 after the third leg', async () => {
      const r = await goWinrm({ url: emu.http, transport: 'ntlm', username: LAB.admin.name, password: 'not-the-password', steps: [{ op: 'run_string', command: 'echo hi' }] });
      expect(r.ok).toBe(false);
      expect(r.results[0]).toMatchObject({ error: 'http response error: 401 - invalid content type' });
      expect(emu.logs.some((l) => l.includes("auth.failed Negotiate: wrong password for 'Administrator' (NTLMv2 response does not match)"))).toBe(true);
    });
  });
});

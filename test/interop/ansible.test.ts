// Ansible (Debian's ansible-core 2.14 under /usr/bin/python3, its winrm connection plugin over
// pywinrm) driving the emulator on real sockets: ad hoc `raw` over HTTPS Basic and over HTTP NTLM
// with message encryption, a playbook, ten forks against one listener, and refusals.
//
// ansible-core alone has no ansible.windows collection, so only what core runs on Windows is used:
// `raw` and `script` (which core carries out with its own PowerShell wrappers). `slurp`, `fetch`, `ping`
// need ansible.windows (win_slurp, win_stat, win_ping) and are not exercised here.
//
// How `raw` reaches the host (ansible/plugins/shell/powershell.py, _encode_script with
// strict_mode=False, preserve_rc=False): the task's text, each line stripped and joined with \n,
// UTF-16LE and base64, as
//   PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand <b64>
// with no wrapper around it. So rc is powershell.exe's exit code: `exit N`, else 1 when the last
// statement failed (a native program's non-zero code included), else 0 — `cmd /c exit 3` alone
// gives rc 1 on Windows (PowerShell/PowerShell#13501), `cmd /c exit 3; exit $LASTEXITCODE` gives 3.
//
// Every run is hermetic: HOME, ANSIBLE_HOME, ANSIBLE_LOCAL_TEMP and ANSIBLE_CONFIG point into a
// temp folder, the caller's ANSIBLE_* variables are dropped, and REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE
// are removed (when set they override ansible_winrm_server_cert_validation=ignore). NTLM needs MD4:
// Debian's OpenSSL 3 only offers it through the legacy provider, which python3-cryptography (an
// ansible-core dependency, imported by Ansible) loads, so no OPENSSL_CONF is needed here.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { recordingProxy } from '../helpers/proxy.js';
import { ANSIBLE, ANSIBLE_PLAYBOOK, ansibleClient, clientEnv, run, type RunResult } from '../helpers/clients.js';
import type { JournalEntry } from '../../src/sandbox/journal.js';

const ans = ansibleClient();

const PS_PREFIX = 'PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand ';
const b64 = (script: string) => Buffer.from(script, 'utf16le').toString('base64');
/** The script of a journal entry Ansible sent as -EncodedCommand, or undefined. */
const scriptOf = (e: JournalEntry): string | undefined =>
  e.commandLine.startsWith(PS_PREFIX) ? Buffer.from(e.commandLine.slice(PS_PREFIX.length), 'base64').toString('utf16le') : undefined;

/** A command Ansible sent through exec_command is encoded twice: the script of the inner powershell.exe. */
const innerScript = (e: JournalEntry): string | undefined => {
  const s = scriptOf(e);
  return s?.startsWith(PS_PREFIX) ? Buffer.from(s.slice(PS_PREFIX.length), 'base64').toString('utf16le') : s;
};

type HostVars = Record<string, string | number>;

/** A temp folder with an empty ansible.cfg, a home and a local temp, removed by `dispose`. */
function workspace(): { dir: string; env: NodeJS.ProcessEnv; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'winrm-emu-ansible-'));
  mkdirSync(join(dir, 'home'));
  mkdirSync(join(dir, 'tmp'));
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\n');
  const env = clientEnv();
  for (const k of Object.keys(env)) if (k.startsWith('ANSIBLE_')) delete env[k];
  Object.assign(env, {
    HOME: join(dir, 'home'),
    ANSIBLE_HOME: join(dir, 'home', '.ansible'),
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
    ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
    ANSIBLE_HOST_KEY_CHECKING: 'false',
    LC_ALL: 'C.UTF-8',
  });
  return { dir, env, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** YAML inventory (JSON is YAML): group `win` with the given hosts and connection variables. */
function inventory(dir: string, hosts: Record<string, HostVars>, vars: HostVars): string {
  const file = join(dir, 'inventory.yml');
  writeFileSync(file, JSON.stringify({ all: { children: { win: { hosts, vars } } } }, null, 2));
  return file;
}

const winrmVars = (emuUrl: string, user: { name: string; password: string }, extra: HostVars = {}): HostVars => {
  const u = new URL(emuUrl);
  return {
    ansible_connection: 'winrm',
    ansible_port: Number(u.port),
    ansible_winrm_scheme: u.protocol.replace(':', ''),
    ansible_winrm_path: u.pathname,
    ansible_winrm_transport: 'basic',
    ansible_winrm_server_cert_validation: 'ignore',
    ansible_user: user.name,
    ansible_password: user.password,
    ...extra,
  };
};

interface Adhoc extends RunResult {
  /** --tree: the JSON result Ansible wrote for each host. */
  readonly tree: Record<string, Record<string, unknown>>;
}

async function adhoc(ws: { dir: string; env: NodeJS.ProcessEnv }, inv: string, args: string[]): Promise<Adhoc> {
  const treeDir = mkdtempSync(join(ws.dir, 'tree-'));
  const r = await run(ANSIBLE, ['-i', inv, 'win', '--tree', treeDir, ...args], { env: ws.env, cwd: ws.dir, timeoutMs: 120_000 });
  const tree: Record<string, Record<string, unknown>> = {};
  for (const h of readdirSync(treeDir)) tree[h] = JSON.parse(readFileSync(join(treeDir, h), 'utf8')) as Record<string, unknown>;
  return { ...r, tree };
}

interface TaskOutcome {
  readonly status: string;
  readonly host: string;
  readonly ignored: boolean;
  readonly result: Record<string, unknown>;
}

/** The default stdout callback at -v: per task, `changed: [h] => {json}` or `fatal: [h]: FAILED! => {json}` (+ `...ignoring`). */
function tasks(stdout: string): Map<string, TaskOutcome> {
  const out = new Map<string, TaskOutcome>();
  for (const block of stdout.split(/^TASK \[/m).slice(1)) {
    const name = block.slice(0, block.indexOf(']'));
    const m = /^(ok|changed|fatal|failed): \[([^\]]+)\](?:: FAILED!)? => ([\s\S]*?)\n(\.\.\.ignoring\n)?\n/m.exec(`${block}\n\n`);
    if (!m) continue;
    out.set(name, { status: m[1]!, host: m[2]!, ignored: m[4] !== undefined, result: JSON.parse(m[3]!) as Record<string, unknown> });
  }
  return out;
}


describe.skipIf(!ans.available)('Ansible (ansible-core, winrm connection) against the emulator', () => {
  let emu: TestEmulator;
  let ws: ReturnType<typeof workspace>;

  beforeAll(async () => {
    emu = await startEmulator();
    ws = workspace();
  });
  afterAll(async () => {
    await emu?.close();
    ws?.dispose();
  });
  beforeEach(() => emu.journal.clear());

  it("ansible -m raw -a 'echo hi' over HTTPS Basic prints CHANGED rc=0 and hi, sent as PowerShell -EncodedCommand", async () => {
    const inv = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, winrmVars(emu.https, LAB.admin));
    const r = await adhoc(ws, inv, ['-m', 'raw', '-a', 'echo hi']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe('emu | CHANGED | rc=0 >>\nhi\r\n\n');
    expect(r.tree.emu).toEqual({ changed: true, rc: 0, stderr: '', stderr_lines: [], stdout: 'hi\r\n', stdout_lines: ['hi'] });
    const ran = emu.journal.list();
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ user: 'Administrator', commandLine: PS_PREFIX + b64('echo hi'), exitCode: 0, stdout: 'hi\r\n', stderr: '' });
  });

  it('ansible -m raw over HTTP NTLM: message encryption on the wire, whoami answers the NTLM user', async () => {
    const proxy = await recordingProxy(new URL(emu.http));
    try {
      const inv = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, { ...winrmVars(proxy.url, LAB.admin), ansible_winrm_transport: 'ntlm' });
      const r = await adhoc(ws, inv, ['-m', 'raw', '-a', 'whoami; echo ansible-ntlm-marker-7d1']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.tree.emu).toMatchObject({ changed: true, rc: 0, stderr: '', stdout: 'win-emu01\\administrator\r\nansible-ntlm-marker-7d1\r\n' });
      expect(r.tree.emu?.stdout_lines).toEqual(['win-emu01\\administrator', 'ansible-ntlm-marker-7d1']);
      const up = Buffer.concat(proxy.up).toString('latin1');
      const down = Buffer.concat(proxy.down).toString('latin1');
      expect(up).toContain('Authorization: Negotiate TlRMTVNTUAAB');
      const sealed = /content-type: multipart\/encrypted;protocol="application\/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"\r\n/gi;
      expect(up.match(sealed)?.length ?? 0).toBeGreaterThanOrEqual(4); // Create, Command, Receive, Signal, Delete
      expect(down.match(sealed)?.length).toBe(up.match(sealed)?.length);
      for (const clear of ['Envelope', 'ansible-ntlm-marker', b64('whoami; echo ansible-ntlm-marker-7d1'), 'http://schemas']) {
        expect(up, clear).not.toContain(clear);
        expect(down, clear).not.toContain(clear);
      }
      expect(emu.journal.list()).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it("ansible_winrm_message_encryption=never over HTTP is UNREACHABLE: the listener answers HTTP 500 while AllowUnencrypted is false", async () => {
    const inv = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, winrmVars(emu.http, LAB.admin, { ansible_winrm_transport: 'ntlm', ansible_winrm_message_encryption: 'never' }));
    const r = await adhoc(ws, inv, ['-m', 'raw', '-a', 'hostname']);
    expect(r.code).toBe(4);
    expect(r.tree.emu).toEqual({ changed: false, msg: 'ntlm: Bad HTTP response returned from server. Code 500', unreachable: true });
    expect(emu.journal.list()).toHaveLength(0);
  });

  it('a playbook of raw tasks: cmd, a native failure (rc 1, and rc 3 with exit $LASTEXITCODE), a PowerShell error, Write-Output 42, register and debug of stdout_lines, then a fatal exit 5', async () => {
    const inv = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, winrmVars(emu.https, LAB.admin));
    const playbook = join(ws.dir, 'site.yml');
    writeFileSync(
      playbook,
      `- hosts: win
  gather_facts: false
  tasks:
    - name: cmd through raw
      raw: cmd /c echo from-cmd
    - name: native failure
      raw: cmd /c exit 3
      register: plain
      ignore_errors: true
    - name: native failure with its exit code
      raw: cmd /c exit 3; exit $LASTEXITCODE
      register: kept
      ignore_errors: true
    - name: PowerShell error
      raw: Get-Item C:\\does-not-exist
      ignore_errors: true
    - name: PowerShell expression
      raw: Write-Output 42
      register: answer
    - name: several lines
      raw: |
        $names = 'alpha','beta','gamma'
        foreach ($n in $names) { Write-Output "item-$n" }
      register: lines
    - name: show lines
      debug:
        var: lines.stdout_lines
    - name: show values
      debug:
        msg: "answer={{ answer.stdout | trim }} plain={{ plain.rc }} kept={{ kept.rc }}"
    - name: fatal exit
      raw: exit 5
    - name: never reached
      raw: echo unreachable-task
`,
    );
    const r = await run(ANSIBLE_PLAYBOOK, ['-i', inv, playbook, '-v'], { env: ws.env, cwd: ws.dir, timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(2); // a host failed
    const t = tasks(r.stdout);
    expect(t.get('cmd through raw')).toEqual({
      status: 'changed',
      host: 'emu',
      ignored: false,
      result: { changed: true, rc: 0, stderr: '', stderr_lines: [], stdout: 'from-cmd\r\n', stdout_lines: ['from-cmd'] },
    });
    expect(t.get('native failure')).toEqual({
      status: 'fatal',
      host: 'emu',
      ignored: true,
      result: { changed: true, msg: 'non-zero return code', rc: 1, stderr: '', stderr_lines: [], stdout: '', stdout_lines: [] },
    });
    expect(t.get('native failure with its exit code')).toMatchObject({ status: 'fatal', ignored: true, result: { msg: 'non-zero return code', rc: 3, stdout: '' } });
    const psError = t.get('PowerShell error');
    expect(psError).toMatchObject({ status: 'fatal', ignored: true, result: { msg: 'non-zero return code', rc: 1, stdout: '' } });
    // The winrm plugin turns PowerShell's CLIXML error stream back into text.
    const errText = String(psError?.result.stderr).replace(/\s*\r\n\s*/g, ' ');
    expect(errText).toContain("Get-Item : Cannot find path 'C:\\does-not-exist' because it does not exist.");
    // PowerShell 5.1 wraps its error view at the 80-column buffer of a non-interactive host.
    const unwrapped = errText.replace(/\s+/g, '');
    expect(unwrapped).toContain('CategoryInfo:ObjectNotFound:(C:\\does-not-exist:String)[Get-Item],ItemNotFoundException');
    expect(unwrapped).toContain('FullyQualifiedErrorId:PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand');
    expect(t.get('PowerShell expression')?.result).toEqual({ changed: true, rc: 0, stderr: '', stderr_lines: [], stdout: '42\r\n', stdout_lines: ['42'] });
    expect(t.get('several lines')?.result).toMatchObject({ rc: 0, stdout: 'item-alpha\r\nitem-beta\r\nitem-gamma\r\n' });
    expect(t.get('show lines')).toEqual({ status: 'ok', host: 'emu', ignored: false, result: { 'lines.stdout_lines': ['item-alpha', 'item-beta', 'item-gamma'] } });
    expect(t.get('show values')?.result).toEqual({ msg: 'answer=42 plain=1 kept=3' });
    expect(t.get('fatal exit')).toMatchObject({ status: 'fatal', ignored: false, result: { msg: 'non-zero return code', rc: 5 } });
    expect(t.has('never reached')).toBe(false);
    expect(r.stdout).toMatch(/^emu\s+: ok=8\s+changed=6\s+unreachable=0\s+failed=1\s+skipped=0\s+rescued=0\s+ignored=3\s*$/m);
    // What ran, in order: each raw task's text as the whole -EncodedCommand script, nothing else.
    expect(emu.journal.list().map(scriptOf)).toEqual([
      'cmd /c echo from-cmd',
      'cmd /c exit 3',
      'cmd /c exit 3; exit $LASTEXITCODE',
      'Get-Item C:\\does-not-exist',
      'Write-Output 42',
      "$names = 'alpha','beta','gamma'\nforeach ($n in $names) { Write-Output \"item-$n\" }",
      'exit 5',
    ]);
    expect(emu.journal.list().map((e) => e.exitCode)).toEqual([0, 1, 3, 1, 0, 0, 5]);
  });

  it('ten hosts with -f 10 against one listener: each gets its own shell and its own answer, in parallel', async () => {
    const hosts: Record<string, HostVars> = {};
    for (let i = 1; i <= 10; i++) hosts[`win${String(i).padStart(2, '0')}`] = { ansible_host: '127.0.0.1' };
    const inv = inventory(ws.dir, hosts, winrmVars(emu.https, LAB.admin));
    const started = Date.now();
    const r = await adhoc(ws, inv, ['-f', '10', '-m', 'raw', '-a', 'Start-Sleep -Seconds 2; Write-Output "{{ inventory_hostname }} on $env:COMPUTERNAME"']);
    const took = Date.now() - started;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(Object.keys(r.tree).sort()).toEqual(Object.keys(hosts));
    for (const h of Object.keys(hosts)) {
      expect(r.tree[h], h).toEqual({ changed: true, rc: 0, stderr: '', stderr_lines: [], stdout: `${h} on WIN-EMU01\r\n`, stdout_lines: [`${h} on WIN-EMU01`] });
      expect(r.stdout).toContain(`${h} | CHANGED | rc=0 >>\n${h} on WIN-EMU01\r\n`);
    }
    const ran = emu.journal.list();
    expect(ran).toHaveLength(10);
    expect(new Set(ran.map((e) => e.shellId)).size).toBe(10);
    expect(ran.map(scriptOf).sort()).toEqual(Object.keys(hosts).map((h) => `Start-Sleep -Seconds 2; Write-Output "${h} on $env:COMPUTERNAME"`));
    expect(ran.every((e) => e.user === 'Administrator' && e.exitCode === 0)).toBe(true);
    // The forks overlapped on the emulator: commands in flight at the same time.
    const spans = ran.map((e) => [Date.parse(e.startedAt), Date.parse(e.endedAt)] as const);
    const inFlight = Math.max(...spans.map(([s]) => spans.filter(([s2, e2]) => s2 <= s && s < e2).length));
    console.log(`[ansible forks] 10 hosts in ${took} ms, up to ${inFlight} commands in flight`);
    expect(inFlight).toBeGreaterThanOrEqual(2);
    expect(took).toBeLessThan(10 * 2000);
  });

  it('a wrong password is UNREACHABLE with the 401 text, for Basic and for NTLM, and runs nothing', async () => {
    const basic = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, winrmVars(emu.https, { name: LAB.admin.name, password: 'Not-The-Passw0rd' }));
    const b = await adhoc(ws, basic, ['-m', 'raw', '-a', 'hostname']);
    expect(b.code).toBe(4);
    expect(b.stdout).toContain('emu | UNREACHABLE! => {');
    expect(b.tree.emu).toEqual({ changed: false, msg: 'basic: the specified credentials were rejected by the server', unreachable: true });
    const ntlm = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, winrmVars(emu.http, { name: LAB.admin.name, password: 'Not-The-Passw0rd' }, { ansible_winrm_transport: 'ntlm' }));
    const n = await adhoc(ws, ntlm, ['-m', 'raw', '-a', 'hostname']);
    expect(n.code).toBe(4);
    expect(n.tree.emu).toEqual({ changed: false, msg: 'ntlm: the specified credentials were rejected by the server', unreachable: true });
    expect(emu.journal.list()).toHaveLength(0);
  });

  it("labadmin (a local Administrators member, filtered by UAC remote restrictions) is UNREACHABLE with WinRM's Access is denied fault", async () => {
    const inv = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, winrmVars(emu.https, LAB.labadmin));
    const r = await adhoc(ws, inv, ['-m', 'raw', '-a', 'hostname']);
    expect(r.code).toBe(4);
    expect(r.tree.emu).toEqual({
      changed: false,
      msg: "basic: Access is denied.  (extended fault data: {'transport_message': 'Bad HTTP response returned from server. Code 500', 'http_status_code': 500, 'wsmanfault_code': '5', 'fault_code': 's:Sender', 'fault_subcode': 'w:AccessDenied'})",
      unreachable: true,
    });
    expect(emu.journal.list()).toHaveLength(0);
  });

  // `script` is core's action plugin. Ansible makes a remote temp folder (mkdtemp), copies the
  // script with the winrm plugin's put_file (a begin/process/end script fed base64 lines on stdin:
  // [System.IO.File]::Create, SHA1CryptoServiceProvider TransformBlock / TransformFinalBlock,
  // [System.BitConverter]::ToString, the SHA1 checked against the local file), then runs
  // `& <copy> <args>; exit $LASTEXITCODE` through core's bootstrap_wrapper.ps1 (`&chcp.com 65001`,
  // the exec wrapper and its JSON payload on stdin split with [StringSplitOptions], a nested
  // powershell.exe reading the same stdin, [ScriptBlock]::Create) and exec_wrapper.ps1 /
  // module_script_wrapper.ps1 / module_wrapper.ps1 ([PowerShell]::Create, [Console]::SetOut, a
  // StringWriter, SessionStateProxy.GetVariable("LASTEXITCODE"), $host.SetShouldExit), and
  // removes the temp folder.
  it('ansible -m script copies a local .ps1 (SHA1-checked) and runs it with its arguments through the exec wrapper', async () => {
    const inv = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, winrmVars(emu.https, LAB.admin));
    const body = 'Write-Output "script ran: $($args -join \',\')"\r\nhostname\r\n';
    const script = join(ws.dir, 'hello.ps1');
    writeFileSync(script, body);
    const r = await adhoc(ws, inv, ['-m', 'script', '-a', `${script} a b`]);
    expect(r.tree.emu, r.stdout + r.stderr).toEqual({
      changed: true,
      rc: 0,
      stderr: '',
      stderr_lines: [],
      stdout: 'script ran: a,b\r\nWIN-EMU01\r\n',
      stdout_lines: ['script ran: a,b', 'WIN-EMU01'],
    });
    expect(r.code).toBe(0);
    const ran = emu.journal.list();
    expect(ran.map((e) => e.exitCode)).toEqual([0, 0, 0, 0]);
    // mkdtemp: the new folder under %TEMP%
    const tmp = ran[0]!.stdout.trim();
    expect(tmp).toMatch(/^C:\\Users\\Administrator\\AppData\\Local\\Temp\\ansible-tmp-[\d.-]+$/);
    // put_file: the file as one base64 line on stdin, its SHA1 back as JSON
    expect(scriptOf(ran[1]!)).toContain("$fd = [System.IO.File]::Create($path)");
    expect(ran[1]!.stdin).toBe(`${Buffer.from(body).toString('base64')}\r\n`);
    expect(ran[1]!.stdout).toBe(`{"sha1":"${createHash('sha1').update(body).digest('hex')}"}\r\n`);
    // the bootstrap wrapper in a nested powershell.exe, its payload on stdin
    expect(scriptOf(ran[2]!)).toMatch(/^PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand /);
    expect(innerScript(ran[2]!)).toMatch(/^&chcp\.com 65001 > \$null\n/);
    expect(ran[2]!.stdin).toContain('\0\0\0\0{');
    expect(ran[2]!.stdout).toBe('script ran: a,b\r\nWIN-EMU01\r\n');
    // the temp folder is removed
    expect(innerScript(ran[3]!)).toContain(`Remove-Item '${tmp}\\.' -Force -Recurse;`);
  });

  // The exec wrapper ends the inner powershell.exe with the script's code ($host.SetShouldExit(3));
  // the outer one, whose whole script is that native command, exits 1 as powershell.exe does when
  // its last native command failed (PowerShell/PowerShell#13501): Windows reports rc 1 too.
  it('ansible -m script: a script that exits 3 is a failure, rc 1, with its output', async () => {
    const inv = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, winrmVars(emu.https, LAB.admin));
    const script = join(ws.dir, 'fails.ps1');
    writeFileSync(script, 'Write-Output "about to fail"\r\nexit 3\r\n');
    const r = await adhoc(ws, inv, ['-m', 'script', '-a', script]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.tree.emu).toMatchObject({ changed: true, msg: 'non-zero return code', rc: 1, stdout: 'about to fail\r\n', stdout_lines: ['about to fail'] });
    expect(emu.journal.list().map((e) => e.exitCode)).toEqual([0, 0, 1, 0]);
  });

  it('ansible -m script runs a local .bat with its arguments (PowerShell starts it through cmd.exe)', async () => {
    const inv = inventory(ws.dir, { emu: { ansible_host: '127.0.0.1' } }, winrmVars(emu.https, LAB.admin));
    const script = join(ws.dir, 'hello.bat');
    writeFileSync(script, '@echo off\r\necho bat ran with %1 and %~2\r\nhostname\r\n');
    const r = await adhoc(ws, inv, ['-m', 'script', '-a', `${script} one "two words"`]);
    expect(r.tree.emu, r.stdout + r.stderr).toEqual({
      changed: true,
      rc: 0,
      stderr: '',
      stderr_lines: [],
      stdout: 'bat ran with one and two words\r\nWIN-EMU01\r\n',
      stdout_lines: ['bat ran with one and two words', 'WIN-EMU01'],
    });
    expect(emu.journal.list().map((e) => e.exitCode)).toEqual([0, 0, 0, 0]);
  });
});

// Real clients against real sockets: curl for Identify, openssl s_client for the listener's
// certificate, pywinrm (Debian, /usr/bin/python3) for Basic and authorisation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, X509Certificate } from 'node:crypto';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { clientEnv, curlClient, opensslClient, pywinrm, pywinrmClient, run } from '../helpers/clients.js';
import { IDENTIFY } from '../helpers/http.js';

const curl = curlClient();
const openssl = opensslClient();
const py = pywinrmClient();

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

describe.skipIf(!curl.available)('curl', () => {
  const identifyArgs = ['-sS', '-k', '-X', 'POST', '-H', 'Content-Type: application/soap+xml;charset=UTF-8', '--data-binary', IDENTIFY];

  it('gets an IdentifyResponse anonymously with WSMANIDENTIFY: unauthenticated', async () => {
    const r = await run('curl', [...identifyArgs, '-H', 'WSMANIDENTIFY: unauthenticated', emu.http]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<s:Envelope xml:lang="en-US" xmlns:s="http:\/\/www.w3.org\/2003\/05\/soap-envelope"><s:Header><\/s:Header><s:Body><wsmid:IdentifyResponse /);
    expect(r.stdout).toContain('<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>');
    expect(r.stdout).toContain('<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>');
    expect(r.stdout).toContain('<wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion>');
  });

  it('gets an authenticated IdentifyResponse over HTTPS with Basic', async () => {
    const r = await run('curl', [...identifyArgs, '-u', `${LAB.admin.name}:${LAB.admin.password}`, emu.https]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/<wsmid:ProductVersion>OS: \d+\.\d+\.\d+ SP: \d+\.\d+ Stack: 3\.0<\/wsmid:ProductVersion>/);
    expect(r.stdout).toContain('<wsmid:SecurityProfiles>');
  });
});

describe.skipIf(!openssl.available)('openssl s_client', () => {
  it('sees the certificate whose SHA-1 thumbprint the HTTPS listener names', async () => {
    const port = new URL(emu.https).port;
    const r = await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'win-emu01', '-showcerts'], { input: '' });
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout)?.[0];
    expect(pem, r.stderr).toBeDefined();
    const der = new X509Certificate(pem!).raw;
    const thumbprint = createHash('sha1').update(der).digest('hex').toUpperCase();
    const configured = emu.config.winrm.Listener.find((l) => l.Transport === 'HTTPS')?.CertificateThumbprint;
    expect(thumbprint).toBe(configured);
  });
});

describe.skipIf(!py.available)('pywinrm (transport basic)', () => {
  it('raises InvalidCredentialsError for a wrong password', async () => {
    const r = await pywinrm({ endpoint: emu.https, username: 'Administrator', password: 'not-the-password', steps: [{ op: 'open_shell' }] });
    expect(r.ok).toBe(false);
    expect(r.error).toBe('InvalidCredentialsError');
  });

  for (const who of ['visitor', 'operator'] as const) {
    it(`gets the access-denied fault for ${who} asking for the cmd shell under the default RootSDDL`, async () => {
      const r = await pywinrm({ endpoint: emu.https, username: LAB[who].name, password: LAB[who].password, steps: [{ op: 'open_shell' }] });
      expect(r.ok).toBe(false);
      expect(r.error).toBe('WinRMError');
      expect(r.message).toContain("'wsmanfault_code': '5'");
      expect(r.message).toContain("'fault_subcode': 'w:AccessDenied'");
      expect(r.message).toContain("'http_status_code': 500");
    });
  }

  it('refuses Basic over HTTP while AllowUnencrypted is false', async () => {
    const r = await pywinrm({ endpoint: emu.http, username: LAB.admin.name, password: LAB.admin.password, steps: [{ op: 'open_shell' }] }, clientEnv());
    expect(r.error).toBe('InvalidCredentialsError');
  });

  it('admits a Remote Management Users member to the cmd shell once RootSDDL grants RM', async () => {
    const granted = await startEmulator({ winrm: { Service: { RootSDDL: 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GXGR;;;RM)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)' } } });
    try {
      const r = await pywinrm({ endpoint: granted.https, username: LAB.operator.name, password: LAB.operator.password, steps: [{ op: 'run_cmd', command: 'whoami' }] });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'win-emu01\\operator\r\n' });
    } finally {
      await granted.close();
    }
  });

  it('accepts Basic over HTTP once AllowUnencrypted is true', async () => {
    const open = await startEmulator({ winrm: { Service: { AllowUnencrypted: true } } });
    try {
      const r = await pywinrm({ endpoint: open.http, username: LAB.admin.name, password: LAB.admin.password, steps: [{ op: 'run_cmd', command: 'hostname' }] });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'WIN-EMU01\r\n' });
    } finally {
      await open.close();
    }
  });
});

// Bounds at the edge: requests in progress (Service/MaxConnections) and open connections.
import { describe, expect, it } from 'vitest';
import { startEmulator, LAB } from '../helpers/emulator.js';
import { basic, IDENTIFY, request, SOAP } from '../helpers/http.js';
import { env, A, pick } from '../helpers/core.js';

describe('Service/MaxConnections', () => {
  it('answers 503 while MaxConnections requests are in progress, and serves again once they end', async () => {
    const emu = await startEmulator({
      winrm: { Service: { MaxConnections: 2 } },
      sandbox: { rules: [{ name: 'slow', match: { exact: 'slow' }, stdout: 'done\r\n', delayMs: 1500 }] },
    });
    try {
      const headers = { ...SOAP, authorization: basic(LAB.admin.name, LAB.admin.password) };
      const post = (xml: string) => request(emu.https, { headers, body: xml });
      const shell = pick(/<rsp:ShellId>([^<]+)</, (await post(env({ action: A.create, body: '<rsp:Shell/>' }))).text);
      const cmd = pick(/<rsp:CommandId>([^<]+)</, (await post(env({ action: A.command, shellId: shell, body: '<rsp:CommandLine><rsp:Command>slow</rsp:Command></rsp:CommandLine>' }))).text);
      const receive = () => post(env({ action: A.receive, shellId: shell, body: `<rsp:Receive><rsp:DesiredStream CommandId="${cmd}">stdout stderr</rsp:DesiredStream></rsp:Receive>` }));
      // Two long polls in progress fill the bound…
      const polls = [receive(), receive()];
      await new Promise((r) => setTimeout(r, 300));
      const refused = await request(emu.https, { headers, body: IDENTIFY });
      expect(refused.status).toBe(503);
      expect(refused.body.length).toBe(0);
      // …and once they have answered, the service takes requests again.
      await Promise.all(polls);
      expect((await request(emu.https, { headers, body: IDENTIFY })).status).toBe(200);
      expect(emu.logs.join('\n')).toMatch(/limit\.MaxConnections/);
    } finally {
      await emu.close();
    }
  });
});

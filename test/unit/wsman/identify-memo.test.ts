// The Identify memo (decision 0006): a byte-identical Identify is answered from the last answer
// only while everything that answer depends on is unchanged; any other request goes the whole way.
import { describe, expect, it } from 'vitest';
import { createCore } from '../../helpers/core.js';
import { IDENTIFY } from '../../helpers/http.js';

const ids = (xml: string) => /<wsmid:SecurityProfiles>(.*)<\/wsmid:SecurityProfiles>/.exec(xml)?.[1] ?? '';

describe('Identify memo', () => {
  it('answers a repeated Identify the same, and follows live changes to Service/Auth', async () => {
    const core = createCore();
    const anon = () => core.service.handle({ text: IDENTIFY, principal: undefined, tls: false, machine: 'h', clientIp: '127.0.0.1', signal: new AbortController().signal });
    const first = await anon();
    expect((await anon()).xml).toBe(first.xml);
    expect(first.xml).toContain('Stack: 3.0');
    expect(first.xml).not.toContain('SecurityProfiles');

    const authed = () => core.service.handle({ text: IDENTIFY, principal: core.as('Administrator'), tls: true, machine: 'h', clientIp: '127.0.0.1', signal: new AbortController().signal });
    expect(ids((await authed()).xml)).toContain('https/basic');
    // Anonymous and authenticated answers do not mix.
    expect((await anon()).xml).toBe(first.xml);

    const w = core.host.winrm;
    core.host.replaceWinrmConfig({ ...w, Service: { ...w.Service, Auth: { ...w.Service.Auth, Basic: false } } });
    expect(ids((await authed()).xml)).not.toContain('https/basic');
    expect(ids((await authed()).xml)).toContain('https/spnego-kerberos');
  });

  it('reads a request that differs by one byte afresh (a malformed one gets its fault)', async () => {
    const core = createCore();
    const call = (text: string) => core.service.handle({ text, principal: undefined, tls: false, machine: 'h', clientIp: '127.0.0.1', signal: new AbortController().signal });
    expect((await call(IDENTIFY)).status).toBe(200);
    const broken = IDENTIFY.replace('</s:Envelope>', '</s:Envelop>');
    const r = await call(broken);
    expect(r.status).toBe(500);
    expect(r.operation).toBe('unparsed');
  });
});

// Basic without sockets: RFC 7617 credentials checked against the account's NT hash, and the
// memo of recent logons (decision 0006) never outliving a password change or a disabled account.
import { describe, expect, it } from 'vitest';
import { createBasicMechanism } from '../../../src/auth/basic.js';
import { Host } from '../../../src/hosts/host.js';
import { loadConfig } from '../../../src/config/load.js';
import type { ConnectionInfo } from '../../../src/auth/types.js';
import { LAB } from '../../helpers/emulator.js';

const CONN: ConnectionInfo = { id: 'c1', tls: true, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1' };
const DEPS = { now: () => Date.parse('2026-11-29T10:00:00Z'), randomBytes: (n: number) => Buffer.alloc(n) };
const basic = (name: string, password: string) => Buffer.from(`${name}:${password}`).toString('base64');

function hostWith(operator: { password: string; enabled?: boolean }): Host {
  const loaded = loadConfig({ env: {}, overrides: { users: [{ name: 'operator', password: operator.password, groups: ['Remote Management Users'], ...(operator.enabled === false ? { enabled: false } : {}) }] } });
  return new Host(loaded.config);
}

describe('Basic', () => {
  it('accepts the right password and refuses a wrong one, a malformed token and an unknown user', async () => {
    const m = createBasicMechanism();
    const host = hostWith({ password: LAB.operator.password });
    const step = (t: string) => m.createContext(host, CONN, DEPS).step(t, { resourceUri: undefined });
    expect((await step(basic('operator', LAB.operator.password))).kind).toBe('success');
    expect(await step(basic('operator', 'nope'))).toMatchObject({ kind: 'failure', reason: "wrong password for 'operator'" });
    expect(await step(Buffer.from('no-colon').toString('base64'))).toMatchObject({ kind: 'failure', reason: 'malformed Basic credentials (no colon)' });
    expect(await step(basic('ghost', 'x'))).toMatchObject({ kind: 'failure', reason: "unknown user 'ghost' (Basic accepts local accounts only)" });
  });

  it('re-checks remembered credentials against the account as it is now', async () => {
    const m = createBasicMechanism();
    const token = basic('operator', LAB.operator.password);
    const before = hostWith({ password: LAB.operator.password });
    expect((await m.createContext(before, CONN, DEPS).step(token, { resourceUri: undefined })).kind).toBe('success');
    // The same credentials, once the password has changed or the account is disabled: refused.
    const changed = hostWith({ password: 'Another-Passw0rd!' });
    expect(await m.createContext(changed, CONN, DEPS).step(token, { resourceUri: undefined })).toMatchObject({ kind: 'failure', reason: "wrong password for 'operator'" });
    const disabled = hostWith({ password: LAB.operator.password, enabled: false });
    expect(await m.createContext(disabled, CONN, DEPS).step(token, { resourceUri: undefined })).toMatchObject({ kind: 'failure', reason: "account 'operator' is disabled" });
  });
});

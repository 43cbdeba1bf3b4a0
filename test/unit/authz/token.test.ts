import { describe, it, expect } from 'vitest';
import { SID, machineSidFor } from '../../../src/authz/sids.js';
import { UnknownLocalGroupError, authorize, authorizeCacheSize, buildNetworkLogonToken, type AccessToken, type AuthPackage } from '../../../src/authz/token.js';

const ROOT_SDDL = 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)';
const PS_SDDL = 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GA;;;RM)(A;;GA;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)';
const MACHINE_SID = machineSidFor('WIN-LAB');

interface Options {
  rid?: number;
  groups?: string[];
  authPackage?: AuthPackage;
  LocalAccountTokenFilterPolicy?: boolean;
  FilterAdministratorToken?: boolean;
}

function token(o: Options = {}): AccessToken {
  return buildNetworkLogonToken({
    computerName: 'win-lab',
    machineSid: MACHINE_SID,
    user: { name: o.rid === 500 ? 'Administrator' : 'alice', rid: o.rid ?? 1001, groups: o.groups ?? [] },
    authPackage: o.authPackage ?? 'NTLM',
    policy: { LocalAccountTokenFilterPolicy: o.LocalAccountTokenFilterPolicy ?? false, FilterAdministratorToken: o.FilterAdministratorToken ?? false },
  });
}

const group = (t: AccessToken, sid: string) => t.groups.find((g) => g.sid === sid);

describe('buildNetworkLogonToken', () => {
  it('gives a plain local user the groups whoami /groups shows for a network logon, in order', () => {
    const t = token();
    expect(t.userSid).toBe(`${MACHINE_SID}-1001`);
    expect(t.userName).toBe('WIN-LAB\\alice');
    expect(t.groups.map((g) => g.name)).toEqual([
      'Everyone',
      'BUILTIN\\Users',
      'NT AUTHORITY\\NETWORK',
      'NT AUTHORITY\\Authenticated Users',
      'NT AUTHORITY\\This Organization',
      'NT AUTHORITY\\Local account',
      'NT AUTHORITY\\NTLM Authentication',
      'Mandatory Label\\Medium Mandatory Level',
    ]);
    expect(t.integrity).toBe('Medium');
    expect(t.filtered).toBe(false);
    expect(group(t, SID.Everyone)).toMatchObject({
      type: 'Well-known group',
      attributes: { mandatory: true, enabledByDefault: true, enabled: true, owner: false, denyOnly: false },
    });
  });

  it('adds configured local groups as Alias entries with canonical names', () => {
    const t = token({ groups: ['remote management users', 'Event Log Readers'] });
    expect(group(t, SID.RemoteManagementUsers)).toMatchObject({ name: 'BUILTIN\\Remote Management Users', type: 'Alias' });
    expect(group(t, SID.EventLogReaders)?.name).toBe('BUILTIN\\Event Log Readers');
  });

  it('never contains INTERACTIVE or LOCAL for a network logon', () => {
    const t = token({ groups: ['Administrators'], rid: 500 });
    expect(group(t, SID.Interactive)).toBeUndefined();
    expect(group(t, SID.Local)).toBeUndefined();
  });

  it('gives the built-in Administrator an unfiltered High token with Administrators as group owner', () => {
    const t = token({ rid: 500, groups: ['Administrators'] });
    expect(t.filtered).toBe(false);
    expect(t.integrity).toBe('High');
    expect(t.groups.slice(0, 3).map((g) => g.sid)).toEqual([SID.Everyone, SID.LocalAccountAndAdministrator, SID.Administrators]);
    expect(group(t, SID.Administrators)?.attributes).toEqual({ mandatory: true, enabledByDefault: true, enabled: true, owner: true, denyOnly: false });
    expect(t.groups.at(-1)?.name).toBe('Mandatory Label\\High Mandatory Level');
  });

  it('filters a non-500 local admin: Administrators and S-1-5-114 become deny-only at Medium integrity', () => {
    const t = token({ groups: ['Administrators'] });
    expect(t.filtered).toBe(true);
    expect(t.integrity).toBe('Medium');
    const denyOnly = { mandatory: false, enabledByDefault: false, enabled: false, owner: false, denyOnly: true };
    expect(group(t, SID.Administrators)?.attributes).toEqual(denyOnly);
    expect(group(t, SID.LocalAccountAndAdministrator)?.attributes).toEqual(denyOnly);
    expect(group(t, SID.Users)?.attributes.enabled).toBe(true);
  });

  it('does not filter a non-500 local admin when LocalAccountTokenFilterPolicy is 1', () => {
    const t = token({ groups: ['Administrators'], LocalAccountTokenFilterPolicy: true });
    expect(t.filtered).toBe(false);
    expect(t.integrity).toBe('High');
  });

  it('filters the built-in Administrator when FilterAdministratorToken is on', () => {
    const t = token({ rid: 500, groups: ['Administrators'], FilterAdministratorToken: true });
    expect(t.filtered).toBe(true);
    expect(group(t, SID.Administrators)?.attributes.denyOnly).toBe(true);
  });

  it('adds NTLM Authentication for NTLM logons only', () => {
    expect(group(token({ authPackage: 'NTLM' }), SID.NtlmAuthentication)).toBeDefined();
    expect(group(token({ authPackage: 'Kerberos' }), SID.NtlmAuthentication)).toBeUndefined();
    expect(group(token({ authPackage: 'Basic' }), SID.NtlmAuthentication)).toBeUndefined();
  });

  it('refuses a group the host does not have, naming it', () => {
    expect(() => token({ groups: ['Domain Admins'] })).toThrow(UnknownLocalGroupError);
    expect(() => token({ groups: ['Domain Admins'] })).toThrow(/'Domain Admins'/);
  });
});

describe('authorize under RootSDDL and the PowerShell endpoint SDDL', () => {
  it('the built-in Administrator (rid 500) gets execute under RootSDDL', () => {
    expect(authorize({ sddl: ROOT_SDDL, token: token({ rid: 500, groups: ['Administrators'] }), desired: 'execute' })).toMatchObject({ allowed: true });
  });

  it('a Remote Management Users member is denied execute under RootSDDL but allowed under the PowerShell SDDL', () => {
    const t = token({ groups: ['Remote Management Users'] });
    const root = authorize({ sddl: ROOT_SDDL, token: t, desired: 'execute' });
    expect(root.allowed).toBe(false);
    expect(root.reason).toContain('no ACE in the DACL grants GX');
    expect(authorize({ sddl: PS_SDDL, token: t, desired: 'execute' })).toMatchObject({ allowed: true });
  });

  it('a user in no group is denied under both', () => {
    const t = token();
    expect(authorize({ sddl: ROOT_SDDL, token: t, desired: 'execute' }).allowed).toBe(false);
    expect(authorize({ sddl: PS_SDDL, token: t, desired: 'execute' }).allowed).toBe(false);
    expect(authorize({ sddl: ROOT_SDDL, token: t, desired: 'read' }).allowed).toBe(false);
  });

  it('a non-500 local admin is denied under RootSDDL, and the reason names the UAC filter', () => {
    const r = authorize({ sddl: ROOT_SDDL, token: token({ groups: ['Administrators'] }), desired: 'execute' });
    expect(r.allowed).toBe(false);
    expect(r.reason).toContain('BUILTIN\\Administrators is deny-only');
    expect(r.reason).toContain('LocalAccountTokenFilterPolicy');
  });

  it('a non-500 local admin is allowed under RootSDDL when LocalAccountTokenFilterPolicy is 1', () => {
    const t = token({ groups: ['Administrators'], LocalAccountTokenFilterPolicy: true });
    expect(authorize({ sddl: ROOT_SDDL, token: t, desired: 'execute' }).allowed).toBe(true);
  });

  it('a filtered admin who is also in Remote Management Users passes the PowerShell SDDL but not RootSDDL', () => {
    const t = token({ groups: ['Administrators', 'Remote Management Users'] });
    expect(t.filtered).toBe(true);
    expect(authorize({ sddl: PS_SDDL, token: t, desired: 'execute' }).allowed).toBe(true);
    expect(authorize({ sddl: ROOT_SDDL, token: t, desired: 'execute' }).allowed).toBe(false);
  });

  it('a deny-only group still matches a Deny ACE', () => {
    const t = token({ groups: ['Administrators', 'Remote Management Users'] });
    const r = authorize({ sddl: 'D:(D;;GA;;;BA)(A;;GA;;;RM)', token: t, desired: 'execute' });
    expect(r.allowed).toBe(false);
    expect(r.reason).toContain('deny-only');
  });

  it('the INTERACTIVE ACE never matches a network logon, so nobody gets read through it', () => {
    const r = authorize({ sddl: ROOT_SDDL, token: token(), desired: 'read' });
    expect(r.allowed).toBe(false);
    expect(r.reason).toContain('INTERACTIVE never matches a network logon');
  });

  it('accepts a numeric desired mask', () => {
    expect(authorize({ sddl: ROOT_SDDL, token: token({ rid: 500, groups: ['Administrators'] }), desired: 0x10000000 }).allowed).toBe(true);
  });

  it('fails closed on a malformed SDDL, with the parse error as the reason', () => {
    const r = authorize({ sddl: 'O:NSG:BAD:P(A;;GZ;;;BA)', token: token({ rid: 500, groups: ['Administrators'] }), desired: 'execute' });
    expect(r.allowed).toBe(false);
    expect(r.reason).toContain("SDDL error at offset 15: unknown right 'GZ'");
  });

  it('keeps its parse cache bounded', () => {
    const t = token();
    for (let i = 0; i < 200; i++) authorize({ sddl: `D:(A;;${i};;;BU)`, token: t, desired: 'read' });
    expect(authorizeCacheSize()).toBeLessThanOrEqual(64);
  });
});

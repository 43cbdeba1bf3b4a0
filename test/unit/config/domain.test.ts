// The `kerberos` and `domain` sections: validation messages, and what the host and the authz core
// make of a domain account (SIDs, nesting into local groups, the token whoami shows).
import { describe, expect, it } from 'vitest';
import { EmulatorConfigSchema } from '../../../src/config/schema.js';
import { loadConfig } from '../../../src/config/load.js';
import { Host } from '../../../src/hosts/host.js';
import { authorize, buildNetworkLogonToken } from '../../../src/authz/token.js';
import { WINDOWS_ROOT_SDDL, MICROSOFT_POWERSHELL_SDDL } from '../../../src/config/defaults.js';
import { domainSidFor } from '../../../src/authz/sids.js';

function issues(input: unknown): string[] {
  const r = EmulatorConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}

describe('kerberos and domain configuration', () => {
  it('is off by default: no keytab, no domain, and the join nesting as the default localGroupMembers', () => {
    const c = EmulatorConfigSchema.parse({});
    expect(c.kerberos).toEqual({ realm: '', keytab: '', serviceName: '', krb5Config: '' });
    expect(c.domain).toEqual({ realm: '', netbiosName: '', sid: '', users: [], groups: [], localGroupMembers: { Administrators: ['Domain Admins'], Users: ['Domain Users'] } });
  });
  it('needs a domain for a keytab, and the same realm', () => {
    expect(issues({ kerberos: { keytab: 'http.keytab' } })).toEqual([expect.stringMatching(/^domain\.realm: is required when kerberos\.keytab is set/)]);
    expect(issues({ kerberos: { keytab: 'http.keytab', realm: 'OTHER.TEST' }, domain: { realm: 'emu.test' } })).toEqual([expect.stringMatching(/^kerberos\.realm: 'OTHER\.TEST' differs from domain\.realm 'EMU\.TEST'/)]);
  });
  it('names unknown groups, duplicates, clashing rids and unknown local groups', () => {
    const found = issues({
      domain: {
        realm: 'EMU.TEST',
        groups: [{ name: 'Ops', rid: 1200 }, { name: 'Domain Admins' }],
        users: [{ name: 'alice', groups: ['Nope'], rid: 1200 }, { name: 'ALICE' }],
        localGroupMembers: { Wizards: ['Ops'], Administrators: ['ghost'] },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^domain\.groups\.1\.name: 'Domain Admins' is a built-in domain group/),
        expect.stringMatching(/^domain\.users\.0\.groups\.0: unknown domain group 'Nope'/),
        expect.stringMatching(/^domain\.users\.1\.name: duplicate domain user/),
        expect.stringMatching(/^domain\.users\.0\.rid: rid 1200 is already used/),
        expect.stringMatching(/^domain\.localGroupMembers\.Wizards: unknown local group 'Wizards'/),
        expect.stringMatching(/^domain\.localGroupMembers\.Administrators\.0: 'ghost' is neither a domain group nor a domain user/),
      ]),
    );
  });
  it('resolves a relative keytab against the config layer that set it', () => {
    const loaded = loadConfig({ env: {}, overrides: { kerberos: { keytab: 'http.keytab' }, domain: { realm: 'EMU.TEST' } } });
    expect(loaded.config.kerberos.keytab).toBe(`${process.cwd()}/http.keytab`);
  });
});

describe('domain accounts on the host', () => {
  const host = new Host(
    loadConfig({
      env: {},
      overrides: {
        domain: {
          realm: 'EMU.TEST',
          groups: [{ name: 'WinRM Operators' }],
          users: [{ name: 'alice', groups: ['Domain Admins'] }, { name: 'bob' }, { name: 'carol', groups: ['EMU\\WinRM Operators'] }],
          localGroupMembers: { Administrators: ['Domain Admins'], Users: ['Domain Users'], 'Remote Management Users': ['WinRM Operators', 'bob'] },
        },
      },
    }).config,
  );
  const sid = domainSidFor('EMU');

  it('finds them by principal, DOMAIN\\name and SID, never as local accounts', () => {
    expect(host.domain).toEqual({ realm: 'EMU.TEST', netbiosName: 'EMU', dnsName: 'emu.test', sid });
    expect(host.findDomainUser('alice@EMU.TEST')?.name).toBe('alice');
    expect(host.findDomainUser('EMU\\Alice')?.name).toBe('alice');
    expect(host.findDomainUser('alice@OTHER.TEST')).toBeUndefined();
    expect(host.findLocalUser('alice')).toBeUndefined();
    expect(host.findUserBySid(`${sid}-1104`)?.name).toBe('alice');
  });
  it('numbers groups then users from 1103 and nests them into local groups', () => {
    const alice = host.findDomainUser('alice')!;
    const bob = host.findDomainUser('bob')!;
    const carol = host.findDomainUser('carol')!;
    expect(alice.sid).toBe(`${sid}-1104`);
    expect(alice.groups).toEqual(['Administrators', 'Users']);
    expect(bob.groups).toEqual(['Users', 'Remote Management Users']);
    expect(carol.groups).toEqual(['Users', 'Remote Management Users']);
    expect(carol.domain?.groups).toEqual([
      { name: 'EMU\\Domain Users', sid: `${sid}-513` },
      { name: 'EMU\\WinRM Operators', sid: `${sid}-1103` },
    ]);
  });
  it('gives a domain admin an unfiltered high-integrity token (no UAC remote restriction) that the RootSDDL admits', () => {
    const alice = host.findDomainUser('alice')!;
    const token = buildNetworkLogonToken({ computerName: host.computerName, machineSid: host.machineSid, user: alice, authPackage: 'Kerberos', policy: host.policy });
    expect(token).toMatchObject({ userSid: `${sid}-1104`, userName: 'EMU\\alice', filtered: false, integrity: 'High' });
    expect(token.groups.map((g) => g.name)).toEqual([
      'Everyone',
      'BUILTIN\\Administrators',
      'BUILTIN\\Users',
      'NT AUTHORITY\\NETWORK',
      'NT AUTHORITY\\Authenticated Users',
      'NT AUTHORITY\\This Organization',
      'EMU\\Domain Users',
      'EMU\\Domain Admins',
      'Authentication authority asserted identity',
      'Mandatory Label\\High Mandatory Level',
    ]);
    expect(authorize({ sddl: WINDOWS_ROOT_SDDL, token, desired: 'execute' }).allowed).toBe(true);
  });
  it('lets Remote Management Users through nesting reach PowerShell endpoints but not the cmd shell, and resolves DA in SDDL', () => {
    const carol = host.findDomainUser('carol')!;
    const token = buildNetworkLogonToken({ computerName: host.computerName, machineSid: host.machineSid, user: carol, authPackage: 'Kerberos', policy: host.policy });
    expect(authorize({ sddl: WINDOWS_ROOT_SDDL, token, desired: 'execute' }).allowed).toBe(false);
    expect(authorize({ sddl: MICROSOFT_POWERSHELL_SDDL, token, desired: 'execute' }).allowed).toBe(true);
    const alice = buildNetworkLogonToken({ computerName: host.computerName, machineSid: host.machineSid, user: host.findDomainUser('alice')!, authPackage: 'Kerberos', policy: host.policy });
    expect(authorize({ sddl: 'O:NSG:BAD:P(A;;GA;;;DA)', token: alice, desired: 'execute' }).allowed).toBe(true);
    expect(authorize({ sddl: 'O:NSG:BAD:P(A;;GA;;;DA)', token, desired: 'execute' }).allowed).toBe(false);
  });
});

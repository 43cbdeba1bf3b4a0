// Argument objects reach the emulated PowerShell as values (issue 9): SecureStrings decrypted with
// the pool's session key (psrp.md §3.6), credentials, hashtables and arrays of objects with their
// types; SecureString output goes back as `<SS>` under the same key.
import { createCipheriv, createDecipheriv, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PSObject } from '../../../src/sandbox/powershell/index.js';
import { fromClixml, secureStringCodec, toClixml } from '../../../src/shell/psrp/sandbox-engine.js';
import { serialize, deserialize } from '../../../src/shell/psrp/clixml.js';
import { psCredential, secureString, secureStringText } from '../../../src/sandbox/powershell/runtime/secure.js';
import { isCommandCallable } from '../../../src/shell/psrp/jea.js';
import { openSandboxClient } from '../../helpers/psrp-core.js';
import { MSG, esc, prop, value, type Node, type TestCommand, type PsrpTestClient } from '../../helpers/psrp-client.js';

/** createPsrpCore's default random source: every key byte is 7. */
const KEY = Buffer.alloc(32, 7);
const IV = Buffer.alloc(16);
const seal = (text: string) => {
  const c = createCipheriv('aes-256-cbc', KEY, IV);
  return Buffer.concat([c.update(Buffer.from(text, 'utf16le')), c.final()]).toString('base64');
};
const open = (b64: string) => {
  const d = createDecipheriv('aes-256-cbc', KEY, IV);
  return Buffer.concat([d.update(Buffer.from(b64, 'base64')), d.final()]).toString('utf16le');
};

/** A CAPI PUBLICKEYBLOB of a fresh RSA key (psrp.md §3.6). */
function publicKeyBlob(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const n = Buffer.from(jwk.n!, 'base64url').reverse();
  const e = Buffer.alloc(4);
  e.writeUInt32LE(Buffer.from(jwk.e!, 'base64url').readUIntBE(0, Buffer.from(jwk.e!, 'base64url').length));
  const head = Buffer.from([0x06, 0x02, 0x00, 0x00, 0x00, 0xa4, 0x00, 0x00]);
  const bits = Buffer.alloc(4);
  bits.writeUInt32LE(2048);
  return Buffer.concat([head, Buffer.from('RSA1'), bits, e, n]).toString('base64');
}

const session = openSandboxClient;

async function exchangeKeys(c: PsrpTestClient): Promise<void> {
  await c.sendPool(MSG.PUBLIC_KEY, `<Obj RefId="0"><MS><S N="PublicKey">${publicKeyBlob()}</S></MS></Obj>`);
  for (let i = 0; i < 5; i++) if ((await c.receivePool()).some((m) => m.type === MSG.ENCRYPTED_SESSION_KEY)) return;
  throw new Error('no ENCRYPTED_SESSION_KEY');
}

async function run(c: PsrpTestClient, commands: TestCommand[]) {
  const r = await c.collect(await c.command(commands));
  if (r.state !== 4) throw new Error(`pipeline state ${r.state}: ${JSON.stringify(r.failure && value(prop(r.failure, 'Exception')))} ${r.errors.map((e) => value(e)).join('; ')}`);
  return r;
}

const credentialXml = (user: string, password: string) =>
  `<Obj RefId="9"><TN RefId="9"><T>System.Management.Automation.PSCredential</T><T>System.Object</T></TN><ToString>System.Management.Automation.PSCredential</ToString><Props><S N="UserName">${esc(user)}</S><SS N="Password">${seal(password)}</SS></Props></Obj>`;

describe('PSRP argument objects in the emulated PowerShell', () => {
  it('decrypts a SecureString argument with the session key: PSCredential, NetworkCredential and Marshal read it back', async () => {
    const c = await session();
    await exchangeKeys(c);
    await run(c, [{ cmd: 'Set-Variable', args: [['Name', '<S>ss</S>'], ['Value', `<SS>${seal('Pa$$w0rd ü')}</SS>`]] }]);
    const r = await run(c, [
      {
        cmd: "$cred = New-Object PSCredential 'CORP\\u1', $ss; $cred.GetNetworkCredential().Password; $cred.GetNetworkCredential().Domain; $ss.Length; [Runtime.InteropServices.Marshal]::PtrToStringAuto([Runtime.InteropServices.Marshal]::SecureStringToBSTR($ss)); \"$ss\"",
        isScript: true,
      },
    ]);
    expect(r.output).toEqual(['Pa$$w0rd ü', 'CORP', 10, 'Pa$$w0rd ü', 'System.Security.SecureString']);
  });

  it('sends SecureString output back as <SS> under the session key', async () => {
    const c = await session();
    await exchangeKeys(c);
    const pid = await c.command([{ cmd: 'ConvertTo-SecureString', args: [['String', '<S>abc</S>'], ['AsPlainText', '<Nil />'], ['Force', '<Nil />']] }]);
    const r = await c.collect(pid);
    expect(r.state).toBe(4);
    expect(r.output).toHaveLength(1);
    // value() gives the element text for <SS>: the base64 ciphertext.
    expect(open(r.output[0] as string)).toBe('abc');
  });

  it('rehydrates a PSCredential argument and binds hashtables and arrays of objects with their types', async () => {
    const c = await session();
    await exchangeKeys(c);
    const table = '<Obj RefId="1"><TN RefId="1"><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT><En><S N="Key">k</S><I32 N="Value">42</I32></En><En><S N="Key">list</S><Obj N="Value" RefId="2"><TN RefId="2"><T>System.Object[]</T><T>System.Array</T><T>System.Object</T></TN><LST><S>a</S><S>b</S></LST></Obj></En></DCT></Obj>';
    const objects = '<Obj RefId="3"><TN RefId="3"><T>System.Object[]</T><T>System.Array</T><T>System.Object</T></TN><LST><Obj RefId="4"><MS><S N="Name">one</S></MS></Obj><Obj RefId="5"><MS><S N="Name">two</S></MS></Obj></LST></Obj>';
    const r = await run(c, [
      {
        cmd: 'param($cred, $h, $items) $cred.UserName; $cred.GetNetworkCredential().Password; $h -is [hashtable]; $h.k; $h.list.Count; $items.Count; $items[1].Name',
        isScript: true,
        args: [
          [undefined, credentialXml('alice', 's3cret')],
          [undefined, table],
          [undefined, objects],
        ],
      },
    ]);
    expect(r.output).toEqual(['alice', 's3cret', true, 42, 2, 2, 'two']);
  });

  it('passes named arguments of commands as values, and a Nil value as a present switch', async () => {
    const c = await session();
    const r = await run(c, [
      { cmd: 'Write-Output', args: [['InputObject', '<Obj RefId="0"><TN RefId="0"><T>System.Object[]</T><T>System.Array</T><T>System.Object</T></TN><LST><I32>1</I32><I32>2</I32></LST></Obj>'], ['NoEnumerate', '<Nil />']] },
      { cmd: 'Measure-Object' },
    ]);
    const count = r.output[0] as Node;
    // One object (the array, not enumerated) reached Measure-Object.
    expect(value(prop(count, 'Count'))).toBe(1);
  });

  it('fails the pipeline when a command sent by name is not found or ends with a terminating error, as on Windows', async () => {
    const c = await session();
    const missing = await c.collect(await c.command([{ cmd: 'Get-Nothing' }]));
    expect(missing.state).toBe(5);
    expect(value(prop(missing.failure!, 'FullyQualifiedErrorId'))).toBe('CommandNotFoundException');
    expect(missing.errors).toEqual([]);
    const bad = await c.collect(await c.command([{ cmd: 'New-Object', args: [['TypeName', '<S>No.Such.Type</S>']] }]));
    expect(bad.state).toBe(5);
    expect(value(prop(bad.failure!, 'FullyQualifiedErrorId'))).toBe('TypeNotFound,Microsoft.PowerShell.Commands.NewObjectCommand');
    // Inside a script the same error ends only its statement.
    const inScript = await c.collect(await c.command([{ cmd: "New-Object No.Such.Type; 'after'", isScript: true }]));
    expect(inScript.state).toBe(4);
    expect(inScript.output).toEqual(['after']);
  });

  // Without a key exchange the server asks for one (PUBLIC_KEY_REQUEST) or makes its own:
  // test/unit/psrp/session-key-request.test.ts.
});

describe('SecureString and PSCredential values in CLIXML', () => {
  const codec = secureStringCodec(() => KEY);

  it('serialises a PSCredential as Windows does: ToString, Props UserName and an encrypted Password', () => {
    const xml = serialize(toClixml(psCredential(['CORP\\u1', secureString('p@ss')]), 0, new Map(), codec));
    expect(xml).toBe(`<Obj RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCredential</T><T>System.Object</T></TN><ToString>System.Management.Automation.PSCredential</ToString><Props><S N="UserName">CORP\\u1</S><SS N="Password">${seal('p@ss')}</SS></Props></Obj>`);
    const back = fromClixml(deserialize(xml), codec);
    expect(back).toBeInstanceOf(PSObject);
    expect(secureStringText((back as PSObject).getValue('Password') ?? null)).toBe('p@ss');
  });

  it('gives no value for a <SS> that does not decrypt under the key', () => {
    expect(fromClixml(deserialize('<SS>AAAAAAAAAAAAAAAAAAAAAA==</SS>'), codec)).toBeNull();
  });
});

describe('commands a JEA role makes callable from scripts', () => {
  const profile = { configurationName: 'J', languageMode: 'ConstrainedLanguage' as const, visibleCommands: ['Get-Item', 'C:\\Windows\\System32\\whoami.exe', 'ipconfig.exe'], visibleProviders: [] };
  it('matches external commands by name, name.exe or their System32 path', () => {
    expect(isCommandCallable(profile, 'whoami')).toBe(true);
    expect(isCommandCallable(profile, 'WHOAMI.EXE')).toBe(true);
    expect(isCommandCallable(profile, 'ipconfig')).toBe(true);
    expect(isCommandCallable(profile, 'get-item')).toBe(true);
    expect(isCommandCallable(profile, 'hostname')).toBe(false);
    expect(isCommandCallable(profile, 'gi')).toBe(false);
  });
});

// `winrm-emulator certs …`: make and list the certificates of the emulator's certificate store
// (architecture.md §5). Output teaches: after the thumbprint (alone on the first line, for
// scripts) come the config snippet and the Windows commands that do the same on a real host.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  OID,
  generateCertificateAuthority,
  generateClientCertificate,
  generateServerCertificate,
  isValidDnsName,
  isValidUpn,
  writeToStore,
} from '../certs/generate.js';
import { loadCertificateStore, normalizeThumbprint } from '../certs/store.js';
import type { CertificateStore, StoredCertificate } from '../certs/store.js';

/** Where the command writes. Each call receives whole lines ending in `\n`. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const EXIT_OK = 0;
/** The operation failed (store missing, CA not usable, write error). */
export const EXIT_FAILED = 1;
/** Bad arguments. */
export const EXIT_USAGE = 2;

const DEFAULT_STORE = './certs';
const DEFAULT_CA_NAME = 'WinRM Emulator Test CA';

const USAGE = `Usage: winrm-emulator certs <command> [options]

Commands:
  new      Make a self-signed server certificate for an HTTPS listener
             --dns NAME        DNS name for the SAN, repeatable; the first is the CN and the
                               listener's Hostname
             --ip ADDR         IPv4/IPv6 address for the SAN, repeatable
             --store DIR       certificate store folder (default ${DEFAULT_STORE})
             --days N          validity in days (default 365)
             --key-bits N      RSA key size: 2048 (default), 3072 or 4096
  list     List the certificates in the store: thumbprint, subject, expiry, EKUs, key present
             --store DIR
  ca       Make a CA that signs client certificates (its thumbprint is the CertMapping Issuer)
             --name NAME       the CA's CN (default "${DEFAULT_CA_NAME}")
             --store DIR  --days N (default 3650)  --key-bits N
  client   Make a client certificate signed by a CA in the store, and print its CertMapping
             --ca THUMBPRINT   the CA, in the store with its private key
             --upn USER@HOST   userPrincipalName for the SAN, e.g. alice@localhost
             --user NAME       local account the mapping logs on as (default: USER from --upn)
             --store DIR  --days N (default 365)  --key-bits N
             --out DIR         where to write the client's certificate and key (default: the store)

Each file written is <thumbprint>.pem: the certificate, then its private key (mode 0600).
The thumbprint is printed alone on the first line.
Exit codes: 0 done, 1 failed, 2 bad arguments.
`;

type Values = Record<string, string | boolean | string[] | undefined>;

class UsageError extends Error {}
class FailedError extends Error {}
class HelpRequested extends Error {}

/** Runs `certs <argv…>` and returns the exit code. */
export async function runCertsCommand(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr(USAGE);
        return EXIT_USAGE;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE);
        return EXIT_OK;
      case 'new':
        return cmdNew(parse(rest, {
          dns: { type: 'string', multiple: true },
          ip: { type: 'string', multiple: true },
          store: { type: 'string' },
          days: { type: 'string' },
          'key-bits': { type: 'string' },
        }), io);
      case 'list':
        return cmdList(parse(rest, { store: { type: 'string' } }), io);
      case 'ca':
        return cmdCa(parse(rest, {
          name: { type: 'string' },
          store: { type: 'string' },
          days: { type: 'string' },
          'key-bits': { type: 'string' },
        }), io);
      case 'client':
        return cmdClient(parse(rest, {
          ca: { type: 'string' },
          upn: { type: 'string' },
          user: { type: 'string' },
          store: { type: 'string' },
          out: { type: 'string' },
          days: { type: 'string' },
          'key-bits': { type: 'string' },
        }), io);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}; expected new, list, ca or client`);
    }
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (err instanceof UsageError) {
      io.stderr(`winrm-emulator certs${command !== undefined && !command.startsWith('-') ? ` ${command}` : ''}: ${err.message}\nRun \`winrm-emulator certs --help\` for the options.\n`);
      return EXIT_USAGE;
    }
    io.stderr(`winrm-emulator certs ${command ?? ''}: ${(err as Error).message}\n`);
    return EXIT_FAILED;
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

function parse(args: string[], options: OptionSpec): Values {
  if (args.includes('--help') || args.includes('-h')) throw new HelpRequested();
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return values as Values;
  } catch (err) {
    // node:util parseArgs messages name the option ("Unknown option '--dsn'")
    throw new UsageError((err as Error).message);
  }
}

// ---------------------------------------------------------------------------------------------
// new

function cmdNew(v: Values, io: CliIo): number {
  const dnsNames = unique(strings(v['dns']));
  const ipAddresses = unique(strings(v['ip']));
  if (dnsNames.length === 0 && ipAddresses.length === 0) {
    throw new UsageError('give at least one --dns NAME (the host name clients connect to) or --ip ADDR, e.g. `certs new --dns win-emu02 --dns localhost`');
  }
  for (const name of dnsNames) {
    if (isIP(name) !== 0) throw new UsageError(`--dns ${name}: that is an IP address; pass it with --ip ${name}`);
    if (!isValidDnsName(name)) throw new UsageError(`--dns ${JSON.stringify(name)} is not a valid DNS name (letters, digits and hyphens per label, labels separated by dots)`);
  }
  for (const ip of ipAddresses) {
    if (isIP(ip) === 0) throw new UsageError(`--ip ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
  }
  const days = wholeNumber(v['days'], '--days', 1, 36_500);
  const keyBits = keyBitsOption(v['key-bits']);
  const store = stringOption(v['store'], '--store') ?? DEFAULT_STORE;

  const cert = generateServerCertificate({
    dnsNames,
    ipAddresses,
    ...(days !== undefined ? { days } : {}),
    ...(keyBits !== undefined ? { keyBits } : {}),
  });
  const file = write(store, cert);
  const hostname = dnsNames[0] ?? ipAddresses[0] ?? '';
  const stored = facts(cert.certPem);

  const san = [...dnsNames.map((d) => `DNS:${d}`), ...ipAddresses.map((a) => (a.includes(':') ? `IP:[${a}]` : `IP:${a}`))].join(', ');
  const psNames = dnsNames.map((d) => `"${d}"`).join(', ');
  const sanText = [...dnsNames.map((d) => `DNS=${d}`), ...ipAddresses.map((a) => `IPAddress=${a}`)].join('&');
  const lines = [
    cert.thumbprint,
    `Wrote ${file} (certificate, then its private key; mode 0600).`,
    `Subject CN=${hostname}; SAN ${san}; EKU Server Authentication (${OID.serverAuth}); valid until ${isoDate(stored.notAfter)}.`,
    '',
    'Listener for your config file (the Hostname must equal the certificate\'s CN):',
    `  certificateStore: ${yamlScalar(resolve(store))}   # absolute: a relative path is read from the config file's base folder`,
    '  winrm:',
    '    Listener:',
    `      - { Address: "IP:127.0.0.1", Transport: HTTPS, Port: 5986, Hostname: ${yamlScalar(hostname)}, CertificateThumbprint: "${cert.thumbprint}" }`,
    '',
    'Clients that validate the server certificate must trust it; give them the certificate alone:',
    `  openssl x509 -in ${shellWord(file)} -out ${shellWord(`${hostname}.crt`)}`,
    '',
    'On Windows, the same in an elevated PowerShell:',
    ipAddresses.length === 0
      ? `  $cert = New-SelfSignedCertificate -DnsName ${psNames} -CertStoreLocation Cert:\\LocalMachine\\My`
      : `  $cert = New-SelfSignedCertificate -Subject "CN=${hostname}" -TextExtension @("2.5.29.17={text}${sanText}") -CertStoreLocation Cert:\\LocalMachine\\My`,
    `  New-Item -Path WSMan:\\localhost\\Listener -Transport HTTPS -Address * -HostName ${hostname} -CertificateThumbPrint $cert.Thumbprint -Force`,
    ipAddresses.length === 0
      ? '  (New-SelfSignedCertificate also adds the Client Authentication EKU by default; this certificate has Server Authentication only.)'
      : '  (The familiar `New-SelfSignedCertificate -DnsName …` writes every entry as a DNS name, hence -TextExtension for the IP addresses.\n' +
        '   It also adds the Client Authentication EKU by default; this certificate has Server Authentication only.)',
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// list

function cmdList(v: Values, io: CliIo): number {
  const store = openStore(stringOption(v['store'], '--store') ?? DEFAULT_STORE);
  const now = Date.now();
  const certs = store.all();
  for (const c of certs) io.stdout(`${listLine(c, now)}\n`);
  if (certs.length === 0) io.stderr(`No certificates in ${store.dir}. Make one with \`winrm-emulator certs new --dns <host> --store ${store.dir}\`.\n`);
  for (const p of store.problems) io.stderr(`problem: ${p}\n`);
  return EXIT_OK;
}

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

function listLine(c: StoredCertificate, now: number): string {
  const ekus = c.ekus.length === 0 ? 'any' : c.ekus.map((o) => EKU_NAMES[o] ?? o).join(',');
  const flags = [
    c.ca ? 'CA' : '',
    c.notAfter.getTime() < now ? 'EXPIRED' : '',
    c.notBefore.getTime() > now ? 'NOT-YET-VALID' : '',
    c.upns.length > 0 ? `UPN ${c.upns.join(',')}` : '',
  ].filter((f) => f !== '');
  return [
    c.thumbprint,
    c.subject,
    `expires ${isoDate(c.notAfter)}`,
    `EKU ${ekus}`,
    `key ${c.keyPem === undefined ? 'no' : 'yes'}`,
    ...flags,
  ].join('  ');
}

// ---------------------------------------------------------------------------------------------
// ca

function cmdCa(v: Values, io: CliIo): number {
  const name = (stringOption(v['name'], '--name') ?? DEFAULT_CA_NAME).trim();
  if (name === '') throw new UsageError('--name must not be empty');
  const days = wholeNumber(v['days'], '--days', 1, 36_500);
  const keyBits = keyBitsOption(v['key-bits']);
  const store = stringOption(v['store'], '--store') ?? DEFAULT_STORE;
  const ca = generateCertificateAuthority({
    name,
    ...(days !== undefined ? { days } : {}),
    ...(keyBits !== undefined ? { keyBits } : {}),
  });
  const file = write(store, ca);
  const lines = [
    ca.thumbprint,
    `Wrote ${file} (CA certificate, then its private key; mode 0600). Whoever holds this key can make certificates that log on: keep it to test labs.`,
    `Subject CN=${name}; CA; valid until ${isoDate(facts(ca.certPem).notAfter)}.`,
    '',
    'Next, a client certificate for a local user, and its mapping:',
    `  winrm-emulator certs client --ca ${ca.thumbprint} --upn alice@localhost --user alice --store ${shellWord(store)}`,
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// client

function cmdClient(v: Values, io: CliIo): number {
  const caArg = stringOption(v['ca'], '--ca');
  if (caArg === undefined) throw new UsageError('--ca THUMBPRINT is required: the CA that signs the client certificate (make one with `winrm-emulator certs ca`)');
  const caThumb = normalizeThumbprint(caArg);
  if (!/^[0-9A-F]{40}$/.test(caThumb)) throw new UsageError(`--ca ${JSON.stringify(caArg)} is not a thumbprint (40 hex digits)`);
  const upn = stringOption(v['upn'], '--upn');
  if (upn === undefined) throw new UsageError('--upn USER@HOST is required, e.g. --upn alice@localhost (it goes into the SAN as userPrincipalName)');
  if (!isValidUpn(upn)) throw new UsageError(`--upn ${JSON.stringify(upn)} is not a user principal name (expected user@host, e.g. alice@localhost)`);
  const user = stringOption(v['user'], '--user') ?? upn.slice(0, upn.indexOf('@'));
  checkLocalUserName(user);
  const days = wholeNumber(v['days'], '--days', 1, 36_500);
  const keyBits = keyBitsOption(v['key-bits']);
  const storeDir = stringOption(v['store'], '--store') ?? DEFAULT_STORE;
  const outDir = stringOption(v['out'], '--out') ?? storeDir;

  const store = openStore(storeDir);
  const ca = store.get(caThumb);
  if (ca === undefined) {
    const cas = store.all().filter((c) => c.ca);
    throw new FailedError([
      `no certificate with thumbprint ${caThumb} in ${store.dir}.`,
      cas.length === 0 ? 'The store holds no CA.' : `CAs in the store:\n${cas.map((c) => `  ${c.thumbprint}  ${c.subject}  key ${c.keyPem === undefined ? 'no' : 'yes'}`).join('\n')}`,
      `Make one with: winrm-emulator certs ca --name "${DEFAULT_CA_NAME}" --store ${shellWord(storeDir)}`,
    ].join('\n'));
  }
  if (!ca.ca) throw new FailedError(`${ca.thumbprint} (${ca.subject}) is not a CA (basicConstraints CA:FALSE or no keyCertSign), so it cannot sign certificates. Make one with \`winrm-emulator certs ca\`.`);
  if (ca.keyPem === undefined) throw new FailedError(`the CA ${ca.thumbprint} (${ca.subject}) in ${ca.file} has no private key, so it cannot sign. Append its unencrypted key to that file.`);

  const client = generateClientCertificate({
    upn,
    ca: { certPem: ca.certPem, keyPem: ca.keyPem },
    ...(days !== undefined ? { days } : {}),
    ...(keyBits !== undefined ? { keyBits } : {}),
  });
  const file = write(outDir, client);
  const stored = facts(client.certPem);
  const lines = [
    client.thumbprint,
    `Wrote ${file} (client certificate, then its private key; mode 0600): the client presents this.`,
    `Subject ${stored.subject}; SAN UPN ${upn}; EKU Client Authentication (${OID.clientAuth}); issued by ${ca.subject} (${ca.thumbprint}); valid until ${isoDate(stored.notAfter)}.`,
    '',
    'CertMapping for your config file (certificate logon is off by default, and needs an HTTPS listener):',
    '  winrm:',
    '    Service:',
    '      Auth: { Certificate: true }',
    '      CertMapping:',
    `        - { Issuer: "${ca.thumbprint}", Subject: "*", URI: "*", UserName: ${yamlScalar(user)}, Enabled: true }`,
    `The mapped account ${user} must be a local user of the emulated host (users:).`,
    '',
    `Clients: pywinrm transport="certificate" with cert_pem and cert_key_pem both ${file}; the Authorization header is`,
    '  http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual',
    '',
    'On Windows, the same mapping (elevated; the CA goes into Cert:\\LocalMachine\\Root):',
    `  winrm create winrm/config/service/certmapping?Issuer=${ca.thumbprint}+Subject=*+URI=* @{UserName="${user}";Password="<password>"} -remote:localhost`,
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

/** CertMapping UserName: a local account, no domain (winrm-config.md §7.1, 2150859092). */
function checkLocalUserName(user: string): void {
  if (user.includes('\\') || user.includes('@')) {
    throw new UsageError(`--user ${JSON.stringify(user)}: CertMapping maps to local accounts only (no DOMAIN\\user or user@domain; Windows refuses with 2150859092)`);
  }
  if (user === '' || user.length > 20 || /["/[\]:;|=,+*?<>]/.test(user) || /^[\s.]+$/.test(user)) {
    throw new UsageError(`--user ${JSON.stringify(user)} is not a valid local account name (1–20 characters, none of " / \\ [ ] : ; | = , + * ? < > @)`);
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

function openStore(dir: string): CertificateStore {
  try {
    return loadCertificateStore(dir);
  } catch (err) {
    throw new FailedError((err as Error).message);
  }
}

function write(dir: string, cert: { certPem: string; keyPem: string }): string {
  try {
    return writeToStore(dir, cert);
  } catch (err) {
    throw new FailedError(`cannot write into ${dir}: ${(err as Error).message}`);
  }
}

/** Subject (Windows order) and expiry of a PEM certificate, for the summary line. */
function facts(certPem: string): { subject: string; notAfter: Date } {
  const x = new X509Certificate(certPem);
  return { subject: x.subject.split('\n').reverse().join(', '), notAfter: new Date(x.validTo) };
}

function strings(v: Values[string]): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [String(v)]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

function unique(xs: string[]): string[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = x.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function stringOption(v: Values[string], flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`${flag} needs a value`);
  return v;
}

function wholeNumber(v: Values[string], flag: string, min: number, max: number): number | undefined {
  const s = stringOption(v, flag);
  if (s === undefined) return undefined;
  const n = /^\d+$/.test(s.trim()) ? Number(s.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(s)}: expected a whole number from ${min} to ${max}`);
  return n;
}

function keyBitsOption(v: Values[string]): number | undefined {
  const n = wholeNumber(v, '--key-bits', 2048, 4096);
  if (n !== undefined && n !== 2048 && n !== 3072 && n !== 4096) throw new UsageError(`--key-bits ${n}: expected 2048, 3072 or 4096`);
  return n;
}

/** A YAML plain scalar when safe, else double-quoted. */
function yamlScalar(s: string): string {
  const plain = /^[A-Za-z_./~][A-Za-z0-9_.\-/~]*$/.test(s) && !/^\.[0-9]/.test(s) && !/^\.(inf|nan)$/i.test(s) &&
    !/^(true|false|yes|no|on|off|null|y|n)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

/** Quote for a POSIX shell when needed. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

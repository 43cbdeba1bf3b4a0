// The authentication matrix (docs/auth-matrix.md): every mechanism a client on this machine can
// produce × Service/Auth enabled or disabled × HTTP or HTTPS listener × Service/AllowUnencrypted,
// with the outcome Windows documents. test/interop/auth-matrix.test.ts drives real clients through
// every row; docs/auth-matrix.md is this table rendered (the test checks it is current).

export type Outcome = 'accepted' | '401' | '401 unencrypted' | '500 unencrypted' | '500 access denied';

export interface MatrixClient {
  readonly id: 'basic' | 'ntlm' | 'ntlm-never' | 'kerberos' | 'kerberos-sealed' | 'certificate' | 'credssp' | 'digest';
  /** What the client is and puts on the wire. */
  readonly label: string;
  /** The Service/Auth setting that governs it; undefined when the service has none (Digest). */
  readonly setting: 'Basic' | 'Negotiate' | 'Kerberos' | 'Certificate' | 'CredSSP' | undefined;
  /** Listeners the client can talk to. */
  readonly transports: readonly ('HTTP' | 'HTTPS')[];
  /** Needs the test KDC. */
  readonly kerberos: boolean;
  /** The documented outcome for an enabled mechanism (a disabled one is always 401). */
  expected(transport: 'HTTP' | 'HTTPS', allowUnencrypted: boolean): Outcome;
  /** Where the expectation comes from. */
  readonly source: string;
}

export const CLIENTS: readonly MatrixClient[] = [
  {
    id: 'basic',
    label: 'pywinrm `basic`: `Authorization: Basic` on every request, SOAP in clear',
    setting: 'Basic',
    transports: ['HTTP', 'HTTPS'],
    kerberos: false,
    expected: (t, au) => (t === 'HTTP' && !au ? '401 unencrypted' : 'accepted'),
    source: 'winrm-config.md §3.3 AllowUnencrypted, §6; auth.md §1.7 (Basic over HTTP → 401)',
  },
  {
    id: 'ntlm',
    label: 'pywinrm `ntlm` (default `auto`): NTLM under `Negotiate`, sealed on HTTP, TLS on HTTPS',
    setting: 'Negotiate',
    transports: ['HTTP', 'HTTPS'],
    kerberos: false,
    expected: () => 'accepted',
    source: 'auth.md §1.4 A/B, §3 (sealed bodies count as encrypted)',
  },
  {
    id: 'ntlm-never',
    label: "pywinrm `ntlm`, `message_encryption='never'`: sealing-capable context, SOAP in clear",
    setting: 'Negotiate',
    transports: ['HTTP', 'HTTPS'],
    kerberos: false,
    expected: (t, au) => (t === 'HTTP' && !au ? '500 unencrypted' : 'accepted'),
    source: 'auth.md §1.7 (plaintext on a context that could seal → 500)',
  },
  {
    id: 'kerberos',
    label: 'pywinrm `kerberos`: raw krb5 AP-REQ under `Negotiate`, pre-emptive, mutual auth, SOAP in clear (pykerberos cannot seal)',
    setting: 'Negotiate',
    transports: ['HTTP', 'HTTPS'],
    kerberos: true,
    expected: (t, au) => (t === 'HTTP' && !au ? '500 unencrypted' : 'accepted'),
    source: 'auth.md §1.4 C, trap 8 (diyan/pywinrm#129, winrm4j#151)',
  },
  {
    id: 'kerberos-sealed',
    label: 'python3-gssapi client: `Authorization: Kerberos`, every body sealed (RFC 4121 wrap, `HTTP-Kerberos-session-encrypted`)',
    setting: 'Kerberos',
    transports: ['HTTP'],
    kerberos: true,
    expected: () => 'accepted',
    source: 'auth.md §1.4 F, §2.8, §3.3 (what Windows clients send)',
  },
  {
    id: 'certificate',
    label: 'pywinrm `certificate`: TLS client certificate + `Authorization: …/secprofile/https/mutual`',
    setting: 'Certificate',
    transports: ['HTTP', 'HTTPS'],
    kerberos: false,
    expected: (t) => (t === 'HTTPS' ? 'accepted' : '401'),
    source: 'winrm-config.md §7.2 (HTTPS only; failures are 401)',
  },
  {
    id: 'credssp',
    label: 'raw request `Authorization: CredSSP <TSRequest>` (no CredSSP client installs here, auth.md §0.2)',
    setting: 'CredSSP',
    transports: ['HTTP', 'HTTPS'],
    kerberos: false,
    expected: () => '401',
    source: 'not emulated: answered as a disabled scheme (auth.md §1.1: 401 + Connection: close)',
  },
  {
    id: 'digest',
    label: 'raw request `Authorization: Digest …`',
    setting: undefined,
    transports: ['HTTP', 'HTTPS'],
    kerberos: false,
    expected: () => '401',
    source: 'auth.md §7 (the service has no Digest; 401 + Connection: close)',
  },
];

export interface MatrixRow {
  readonly client: MatrixClient;
  readonly enabled: boolean;
  readonly transport: 'HTTP' | 'HTTPS';
  readonly allowUnencrypted: boolean;
  readonly expected: Outcome;
}

export function matrixRows(): MatrixRow[] {
  const rows: MatrixRow[] = [];
  for (const client of CLIENTS) {
    for (const enabled of client.setting === undefined ? [true] : [true, false]) {
      for (const transport of client.transports) {
        for (const allowUnencrypted of [false, true]) {
          rows.push({ client, enabled, transport, allowUnencrypted, expected: enabled ? client.expected(transport, allowUnencrypted) : '401' });
        }
      }
    }
  }
  return rows;
}

/** Access denied is authorisation, not authentication: good credentials, no right to the cmd shell. */
export interface DeniedRow {
  readonly client: MatrixClient['id'];
  readonly user: string;
  readonly transport: 'HTTP' | 'HTTPS';
  readonly why: string;
}

export const DENIED: readonly DeniedRow[] = [
  { client: 'basic', user: 'visitor', transport: 'HTTPS', why: 'in no group the RootSDDL lets in (auth.md §8.1)' },
  { client: 'ntlm', user: 'labadmin', transport: 'HTTP', why: 'local administrator other than RID 500: UAC remote restrictions filter Administrators (auth.md §8.3)' },
  { client: 'kerberos', user: 'bob', transport: 'HTTPS', why: 'domain user in Domain Users only: Users is not in the RootSDDL' },
];

const OUTCOME_TEXT: Record<Outcome, string> = {
  accepted: 'accepted',
  '401': '401',
  '401 unencrypted': '401 (refused as unencrypted)',
  '500 unencrypted': '500 (refused as unencrypted)',
  '500 access denied': '500 `w:AccessDenied`',
};

/** The Markdown table docs/auth-matrix.md shows. */
export function renderMatrix(): string {
  const lines = ['| client (what it sends) | Service/Auth | enabled | listener | AllowUnencrypted | outcome |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of matrixRows()) {
    const setting = r.client.setting ?? '(none)';
    lines.push(`| ${r.client.label} | ${setting} | ${r.client.setting === undefined ? '—' : r.enabled ? 'true' : 'false'} | ${r.transport} | ${r.allowUnencrypted} | ${OUTCOME_TEXT[r.expected]} |`);
  }
  lines.push('', '| client | user | listener | outcome | why |', '| --- | --- | --- | --- | --- |');
  for (const d of DENIED) lines.push(`| pywinrm \`${d.client}\` | ${d.user} | ${d.transport} | ${OUTCOME_TEXT['500 access denied']} | ${d.why} |`);
  lines.push('', '| client | source of the expectation |', '| --- | --- |');
  for (const c of CLIENTS) lines.push(`| ${c.id} | ${c.source} |`);
  return `${lines.join('\n')}\n`;
}

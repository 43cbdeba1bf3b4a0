// A PowerShell Remoting test client written from MS-PSRP §2.2 and the recorded exchanges in
// shared/fixtures/psrp — independent of src/shell/psrp (it shares no code with the server): its
// own fragment and message codec, CLIXML built from templates and read with fast-xml-parser,
// and the WS-Man envelopes pypsrp sends.
import { createCipheriv, createDecipheriv, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

export const MSG = {
  SESSION_CAPABILITY: 0x00010002,
  INIT_RUNSPACEPOOL: 0x00010004,
  PUBLIC_KEY: 0x00010005,
  ENCRYPTED_SESSION_KEY: 0x00010006,
  PUBLIC_KEY_REQUEST: 0x00010007,
  CONNECT_RUNSPACEPOOL: 0x00010008,
  SET_MAX_RUNSPACES: 0x00021002,
  SET_MIN_RUNSPACES: 0x00021003,
  RUNSPACE_AVAILABILITY: 0x00021004,
  RUNSPACEPOOL_STATE: 0x00021005,
  CREATE_PIPELINE: 0x00021006,
  GET_AVAILABLE_RUNSPACES: 0x00021007,
  APPLICATION_PRIVATE_DATA: 0x00021009,
  GET_COMMAND_METADATA: 0x0002100a,
  RUNSPACEPOOL_INIT_DATA: 0x0002100b,
  RESET_RUNSPACE_STATE: 0x0002100c,
  PIPELINE_INPUT: 0x00041002,
  END_OF_PIPELINE_INPUT: 0x00041003,
  PIPELINE_OUTPUT: 0x00041004,
  ERROR_RECORD: 0x00041005,
  PIPELINE_STATE: 0x00041006,
  DEBUG_RECORD: 0x00041007,
  VERBOSE_RECORD: 0x00041008,
  WARNING_RECORD: 0x00041009,
  PROGRESS_RECORD: 0x00041010,
  INFORMATION_RECORD: 0x00041011,
  RUNSPACEPOOL_HOST_CALL: 0x00021100,
  RUNSPACEPOOL_HOST_RESPONSE: 0x00021101,
  PIPELINE_HOST_CALL: 0x00041100,
  PIPELINE_HOST_RESPONSE: 0x00041101,
} as const;

export const MSG_NAME: Record<number, string> = Object.fromEntries(Object.entries(MSG).map(([k, v]) => [v, k]));

/** .NET Guid.ToByteArray(): the first three groups little-endian [MS-PSRP 2.2.1]. */
export function guidBytes(g: string): Buffer {
  const b = Buffer.from(g.replace(/-/g, ''), 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

export interface Decoded {
  destination: number;
  type: number;
  rpid: Buffer;
  pid: Buffer;
  /** CLIXML without BOM. */
  data: string;
  hadBom: boolean;
  objectId: number;
}

/** Message = LE dest, LE type, RPID, PID, data [MS-PSRP 2.2.1]; fragment header big-endian [2.2.4]. */
export function buildMessage(type: number, rpid: string, pid: string | undefined, data: string): Buffer {
  const head = Buffer.alloc(40);
  head.writeUInt32LE(2, 0);
  head.writeUInt32LE(type, 4);
  guidBytes(rpid).copy(head, 8);
  if (pid) guidBytes(pid).copy(head, 24);
  return Buffer.concat([head, Buffer.from(data, 'utf8')]);
}

export function buildFragments(objectId: number, message: Buffer, maxBlob = 1 << 30): Buffer {
  const parts: Buffer[] = [];
  let fragmentId = 0;
  for (let off = 0; off < message.length || fragmentId === 0; off += maxBlob) {
    const blob = message.subarray(off, off + maxBlob);
    const h = Buffer.alloc(21);
    h.writeBigUInt64BE(BigInt(objectId), 0);
    h.writeBigUInt64BE(BigInt(fragmentId), 8);
    h.writeUInt8((off === 0 ? 1 : 0) | (off + maxBlob >= message.length ? 2 : 0), 16);
    h.writeUInt32BE(blob.length, 17);
    parts.push(h, blob);
    fragmentId++;
  }
  return Buffer.concat(parts);
}

/** Reassembles server fragments across responses, keyed by ObjectId. */
export class Reassembler {
  private partial = new Map<number, Buffer[]>();
  feed(b64: string): Decoded[] {
    const buf = Buffer.from(b64, 'base64');
    const out: Decoded[] = [];
    let off = 0;
    while (off < buf.length) {
      const objectId = Number(buf.readBigUInt64BE(off));
      const flags = buf.readUInt8(off + 16);
      const len = buf.readUInt32BE(off + 17);
      const blob = buf.subarray(off + 21, off + 21 + len);
      off += 21 + len;
      const parts = flags & 1 ? [] : (this.partial.get(objectId) ?? []);
      parts.push(Buffer.from(blob));
      if (flags & 2) {
        this.partial.delete(objectId);
        const m = Buffer.concat(parts);
        const bom = m[40] === 0xef && m[41] === 0xbb && m[42] === 0xbf;
        out.push({ destination: m.readUInt32LE(0), type: m.readUInt32LE(4), rpid: m.subarray(8, 24), pid: m.subarray(24, 40), data: m.subarray(bom ? 43 : 40).toString('utf8'), hadBom: bom, objectId });
      } else this.partial.set(objectId, parts);
    }
    return out;
  }
}

// ---- CLIXML reading -------------------------------------------------------------------------------

export interface Node {
  tag: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}

const xml = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: false, processEntities: true });

function toNode(raw: Record<string, unknown>): Node {
  const tag = Object.keys(raw).find((k) => k !== ':@')!;
  const attrs = (raw[':@'] ?? {}) as Record<string, string>;
  const kids = (raw[tag] ?? []) as Array<Record<string, unknown>>;
  const children: Node[] = [];
  let text = '';
  for (const k of kids) {
    if ('#text' in k) text += String(k['#text']);
    else children.push(toNode(k));
  }
  return { tag, attrs, children, text };
}

export function parseClixml(s: string): Node {
  const raw = xml.parse(s) as Array<Record<string, unknown>>;
  return toNode(raw.find((r) => !('#text' in r))!);
}

export const unescapePs = (s: string): string => s.replace(/_x([0-9A-F]{4})_/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

/** A property of an Obj, looked up in MS then Props, case-insensitively. */
export function prop(n: Node, name: string): Node | undefined {
  for (const bag of n.children.filter((c) => c.tag === 'MS' || c.tag === 'Props')) {
    const hit = bag.children.find((c) => (c.attrs.N ?? '').toLowerCase() === name.toLowerCase());
    if (hit) return hit;
  }
  return undefined;
}

export function value(n: Node | undefined): unknown {
  if (!n) return undefined;
  switch (n.tag) {
    case 'Nil':
      return null;
    case 'S':
      return unescapePs(n.text);
    case 'B':
      return n.text === 'true';
    case 'I32':
    case 'I64':
      return Number(n.text);
    case 'Obj': {
      const ts = n.children.find((c) => c.tag === 'ToString');
      return ts ? unescapePs(ts.text) : n;
    }
    default:
      return n.text;
  }
}

// ---- CLIXML writing ---------------------------------------------------------------------------------

export const esc = (s: string): string =>
  s
    .replace(/_x/g, '_x005F_x')
    .replace(/[\u0000-\u001f]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

const enumObj = (n: string, type: string, name: string, v: number) =>
  `<Obj N="${n}"><TN><T>${type}</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>${name}</ToString><I32>${v}</I32></Obj>`;
const NULL_HOST = '<Obj N="HostInfo"><MS><B N="_isHostNull">true</B><B N="_isHostUINull">true</B><B N="_isHostRawUINull">true</B><B N="_useRunspaceHost">true</B></MS></Obj>';

/** A console host as PowerShell describes it [MS-PSRP 2.2.3.14 HostInfo, HostDefaultData keys 0, 1, 5]. */
export interface HostSpec {
  bufferWidth: number;
  foreground?: number;
  background?: number;
  useRunspaceHost?: boolean;
  /** A host UI without a RawUI (pypsrp's PSHost without one): `_isHostRawUINull`, no HostDefaultData (fixture test_psrp_pshost_ui_mocked_methods.yml #5). */
  noRawUI?: boolean;
}

export function hostInfo(h: HostSpec | undefined): string {
  if (!h) return NULL_HOST;
  if (h.noRawUI) return `<Obj N="HostInfo"><MS><B N="_isHostNull">false</B><B N="_isHostUINull">false</B><B N="_isHostRawUINull">true</B><B N="_useRunspaceHost">${h.useRunspaceHost ? 'true' : 'false'}</B></MS></Obj>`;
  const en = (key: number, type: string, v: string) => `<En><I32 N="Key">${key}</I32><Obj N="Value"><MS><S N="T">${type}</S>${v.replace(/^<(\w+)/, '<$1 N="V"')}</MS></Obj></En>`;
  const data =
    en(0, 'System.ConsoleColor', `<I32>${h.foreground ?? 7}</I32>`) +
    en(1, 'System.ConsoleColor', `<I32>${h.background ?? 0}</I32>`) +
    en(5, 'System.Management.Automation.Host.Size', `<Obj><MS><I32 N="width">${h.bufferWidth}</I32><I32 N="height">3000</I32></MS></Obj>`) +
    en(9, 'System.String', '<S>Windows PowerShell</S>');
  return (
    `<Obj N="HostInfo"><MS><Obj N="_hostDefaultData"><MS><Obj N="data"><TN><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT>${data}</DCT></Obj></MS></Obj>` +
    `<B N="_isHostNull">false</B><B N="_isHostUINull">false</B><B N="_isHostRawUINull">false</B><B N="_useRunspaceHost">${h.useRunspaceHost ? 'true' : 'false'}</B></MS></Obj>`
  );
}

export const sessionCapability = (version = '2.3') =>
  `<Obj RefId="0"><MS><Version N="protocolversion">${version}</Version><Version N="PSVersion">2.0</Version><Version N="SerializationVersion">1.1.0.1</Version></MS></Obj>`;

export const initRunspacePool = (min = 1, max = 1, host?: HostSpec) =>
  `<Obj RefId="0"><MS><I32 N="MinRunspaces">${min}</I32><I32 N="MaxRunspaces">${max}</I32>${enumObj('PSThreadOptions', 'System.Management.Automation.Runspaces.PSThreadOptions', 'Default', 0)}${enumObj('ApartmentState', 'System.Management.Automation.Runspaces.ApartmentState', 'Unknown', 2)}${hostInfo(host)}<Nil N="ApplicationArguments" /></MS></Obj>`;

export interface TestCommand {
  cmd: string;
  isScript?: boolean;
  /** [name or undefined for positional, CLIXML of the value]. */
  args?: Array<[string | undefined, string]>;
  mergeErrorToOutput?: boolean;
  /** MergeWarning Output (3>&1, protocol 2.2+). */
  mergeWarningToOutput?: boolean;
  /** MergePreviousResults: Out-Default in Enter-PSSession sends Output|Error = 3. */
  mergePrevious?: number;
}

function commandXml(c: TestCommand): string {
  const merge = (n: string, v: number) => enumObj(n, 'System.Management.Automation.Runspaces.PipelineResultTypes', v === 0 ? 'None' : v === 1 ? 'Output' : 'Error', v);
  const args = (c.args ?? []).map(([n, v]) => `<Obj><MS>${n === undefined ? '<Nil N="N" />' : `<S N="N">${esc(n)}</S>`}${v.replace(/^<(\w+)/, '<$1 N="V"')}</MS></Obj>`).join('');
  return (
    `<Obj><MS><S N="Cmd">${esc(c.cmd)}</S><B N="IsScript">${c.isScript ? 'true' : 'false'}</B><Nil N="UseLocalScope" />` +
    merge('MergeMyResult', c.mergeErrorToOutput ? 2 : 0) +
    merge('MergeToResult', c.mergeErrorToOutput ? 1 : 0) +
    merge('MergePreviousResults', c.mergePrevious ?? 0) +
    `<Obj N="Args"><TN><T>System.Collections.Generic.List\`1[[System.Management.Automation.PSObject]]</T><T>System.Object</T></TN>${args === '' ? '<LST />' : `<LST>${args}</LST>`}</Obj>` +
    merge('MergeError', c.mergeErrorToOutput ? 1 : 0) +
    merge('MergeWarning', c.mergeWarningToOutput ? 1 : 0) +
    merge('MergeVerbose', 0) +
    merge('MergeDebug', 0) +
    merge('MergeInformation', 0) +
    `</MS></Obj>`
  );
}

export function createPipeline(commands: TestCommand[], opts: { noInput?: boolean; host?: HostSpec } = {}): string {
  return (
    `<Obj RefId="0"><MS><B N="NoInput">${opts.noInput === false ? 'false' : 'true'}</B>${enumObj('ApartmentState', 'System.Management.Automation.Runspaces.ApartmentState', 'Unknown', 2)}` +
    `${enumObj('RemoteStreamOptions', 'System.Management.Automation.Runspaces.RemoteStreamOptions', 'None', 0)}<B N="AddToHistory">false</B>${hostInfo(opts.host)}` +
    `<Obj N="PowerShell"><MS><B N="IsNested">false</B><Nil N="ExtraCmds" /><Obj N="Cmds"><TN><T>System.Collections.Generic.List\`1[[System.Management.Automation.PSObject]]</T><T>System.Object</T></TN><LST>${commands.map(commandXml).join('')}</LST></Obj>` +
    `<Nil N="History" /><B N="RedirectShellErrorOutputPipe">false</B></MS></Obj><B N="IsNested">false</B></MS></Obj>`
  );
}

// ---- WS-Man envelopes (as pypsrp writes them) --------------------------------------------------------------

const RSP = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
export const PS_URI = 'http://schemas.microsoft.com/powershell/Microsoft.PowerShell';

export function envelope(o: { action: string; resourceUri?: string; shellId?: string; body: string; options?: string; maxEnvelope?: number; timeout?: string }): string {
  return (
    `<s:Envelope xmlns:rsp="${RSP}" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">` +
    `<s:Header><wsa:Action s:mustUnderstand="true">${o.action}</wsa:Action><wsman:MaxEnvelopeSize s:mustUnderstand="true">${o.maxEnvelope ?? 512000}</wsman:MaxEnvelopeSize>` +
    `<wsa:MessageID>uuid:${randomUUID().toUpperCase()}</wsa:MessageID><wsman:OperationTimeout>${o.timeout ?? 'PT20S'}</wsman:OperationTimeout>` +
    `<wsa:ReplyTo><wsa:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>` +
    `<wsman:ResourceURI s:mustUnderstand="true">${o.resourceUri ?? PS_URI}</wsman:ResourceURI><wsa:To>https://server:5986/wsman</wsa:To>` +
    (o.options ?? '') +
    (o.shellId ? `<wsman:SelectorSet><wsman:Selector Name="ShellId">${o.shellId}</wsman:Selector></wsman:SelectorSet>` : '') +
    `</s:Header><s:Body>${o.body}</s:Body></s:Envelope>`
  );
}

export type Transport = (xml: string) => Promise<{ status: number; text: string }>;

/** A PIPELINE_HOST_CALL as received: call id, method id and name, the `mp` argument nodes. */
export interface HostCall {
  ci: number;
  mi: number;
  method: string;
  args: Node[];
}

/**
 * Answers a value-returning host call: the CLIXML of `mr` (e.g. `<S>text</S>`), or
 * `{ error }` with the CLIXML of an ErrorRecord for `me`.
 */
export type HostResponder = (call: HostCall) => string | { error: string };

export interface PipelineResult {
  output: unknown[];
  /** Host calls in the order received (void ones have ci -100). */
  hostCalls: HostCall[];
  /** Responses whose CommandState was Pending. */
  pending: number;
  errors: Node[];
  streams: Array<{ type: string; message: unknown }>;
  /** Every message in wire order: its type name (`PIPELINE_HOST_CALL WriteLine2` for host calls) and body. */
  sequence: Array<{ type: string; node: Node | undefined }>;
  state: number;
  failure: Node | undefined;
  responses: number;
}

// ---- session key exchange [MS-PSRP 2.2.2.3-2.2.2.5], SecureString `<SS>` (psrp.md §3.6) ------------------------

/** A CAPI PUBLICKEYBLOB [MS-PSRP 2.2.2.3]: PUBLICKEYSTRUC (bType 6, bVersion 2, reserved, aiKeyAlg CALG_RSA_KEYX), RSAPUBKEY ('RSA1', bitlen, pubexp), modulus little-endian. */
export function publicKeyBlob(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const modulus = Buffer.from(jwk.n!, 'base64url').reverse();
  const exponentBytes = Buffer.from(jwk.e!, 'base64url');
  const header = Buffer.from([0x06, 0x02, 0x00, 0x00, 0x00, 0xa4, 0x00, 0x00]);
  const rsa = Buffer.alloc(12);
  rsa.write('RSA1', 0, 'latin1');
  rsa.writeUInt32LE(modulus.length * 8, 4);
  rsa.writeUInt32LE(exponentBytes.readUIntBE(0, exponentBytes.length), 8);
  return Buffer.concat([header, rsa, modulus]).toString('base64');
}

/**
 * ENCRYPTED_SESSION_KEY [MS-PSRP 2.2.2.4]: a SIMPLEBLOB — 12-byte header, then the RSA PKCS#1 v1.5
 * ciphertext of the AES-256 key, little-endian. Node 20 refuses PKCS#1 v1.5 private decryption
 * (CVE-2023-46809), so the RSA step is done here with BigInt and the padding (00 02 PS 00 M) removed.
 */
export function decryptSessionKey(privateKey: KeyObject, b64: string): Buffer {
  const blob = Buffer.from(b64, 'base64');
  const jwk = privateKey.export({ format: 'jwk' });
  const big = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
  const n = big(Buffer.from(jwk.n!, 'base64url'));
  const d = big(Buffer.from(jwk.d!, 'base64url'));
  let c = big(Buffer.from(blob.subarray(12)).reverse());
  let m = 1n;
  for (let e = d; e > 0n; e >>= 1n, c = (c * c) % n) if (e & 1n) m = (m * c) % n;
  const size = Buffer.from(jwk.n!, 'base64url').length;
  const em = Buffer.from(m.toString(16).padStart(size * 2, '0'), 'hex');
  const sep = em.indexOf(0, 2);
  if (em[0] !== 0 || em[1] !== 2 || sep < 10) throw new Error('ENCRYPTED_SESSION_KEY does not decrypt to a PKCS#1 v1.5 block');
  return em.subarray(sep + 1);
}

/** `<SS>` text (psrp.md §3.6): AES-256-CBC, zero IV, PKCS7, over UTF-16LE. */
export function sealSecureString(key: Buffer, text: string): string {
  const c = createCipheriv('aes-256-cbc', key, Buffer.alloc(16));
  return Buffer.concat([c.update(Buffer.from(text, 'utf16le')), c.final()]).toString('base64');
}

export function openSecureString(key: Buffer, b64: string): string {
  const d = createDecipheriv('aes-256-cbc', key, Buffer.alloc(16));
  return Buffer.concat([d.update(Buffer.from(b64, 'base64')), d.final()]).toString('utf16le');
}

/** The client side of one runspace pool. */
export class PsrpTestClient {
  readonly rpid = randomUUID().toUpperCase();
  private objectId = 1;
  private readonly poolIn = new Reassembler();
  readonly poolMessages: Decoded[] = [];
  /** The session key once ENCRYPTED_SESSION_KEY arrived. */
  sessionKey: Buffer | undefined;
  /** PUBLIC_KEY_REQUESTs received from the server (answered with PUBLIC_KEY unless `answerKeyRequests` is false). */
  keyRequests = 0;
  answerKeyRequests = true;
  private rsa: { publicKey: KeyObject; privateKey: KeyObject } | undefined;

  constructor(
    private readonly send: Transport,
    private readonly resourceUri = PS_URI,
  ) {}

  private frag(type: number, data: string, pid?: string): Buffer {
    return buildFragments(this.objectId++, buildMessage(type, this.rpid, pid, data));
  }

  async call(action: string, body: string, extra: { commandShell?: boolean; options?: string; timeout?: string } = {}): Promise<string> {
    const r = await this.send(envelope({ action, resourceUri: this.resourceUri, shellId: this.rpid, body, ...(extra.options ? { options: extra.options } : {}), ...(extra.timeout ? { timeout: extra.timeout } : {}) }));
    if (r.status !== 200) throw Object.assign(new Error(`WS-Man fault: ${r.text}`), { status: r.status, xml: r.text });
    return r.text;
  }

  /** Create with creationXml, then pool Receives until RUNSPACEPOOL_STATE (as pypsrp's open()). */
  async open(opts: { host?: HostSpec; protocolVersion?: string } = {}): Promise<number> {
    const creation = Buffer.concat([this.frag(MSG.SESSION_CAPABILITY, sessionCapability(opts.protocolVersion)), this.frag(MSG.INIT_RUNSPACEPOOL, initRunspacePool(1, 1, opts.host))]).toString('base64');
    const body = `<rsp:Shell ShellId="${this.rpid}"><rsp:InputStreams>stdin pr</rsp:InputStreams><rsp:OutputStreams>stdout</rsp:OutputStreams><creationXml xmlns="http://schemas.microsoft.com/powershell">${creation}</creationXml></rsp:Shell>`;
    const r = await this.send(envelope({ action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create', resourceUri: this.resourceUri, body, options: `<wsman:OptionSet s:mustUnderstand="true"><wsman:Option MustComply="true" Name="protocolversion">${opts.protocolVersion ?? '2.3'}</wsman:Option></wsman:OptionSet>` }));
    if (r.status !== 200) throw Object.assign(new Error(`Create failed: ${r.text}`), { xml: r.text });
    for (;;) {
      const msgs = await this.receivePool();
      const state = msgs.find((m) => m.type === MSG.RUNSPACEPOOL_STATE);
      if (state) return Number(value(prop(parseClixml(state.data), 'RunspaceState')));
    }
  }

  async receivePool(opts: { timeout?: string } = {}): Promise<Decoded[]> {
    const text = await this.call(`${RSP}/Receive`, '<rsp:Receive><rsp:DesiredStream>stdout</rsp:DesiredStream></rsp:Receive>', opts.timeout ? { timeout: opts.timeout } : {});
    const got: Decoded[] = [];
    for (const m of text.matchAll(/<rsp:Stream Name="stdout">([^<]*)<\/rsp:Stream>/g)) got.push(...this.poolIn.feed(m[1]!));
    this.poolMessages.push(...got);
    for (const m of got) {
      // The server asks for the exchange (PUBLIC_KEY_REQUEST, MS-PSRP 2.2.2.5): the client answers with PUBLIC_KEY.
      if (m.type === MSG.PUBLIC_KEY_REQUEST) {
        this.keyRequests++;
        if (this.answerKeyRequests) {
          // A request answered is a request-response: read on until the session key is there.
          await this.sendPublicKey();
          this.sessionKey = undefined;
          for (let i = 0; i < 5 && !this.sessionKey; i++) await this.receivePool();
        }
      } else if (m.type === MSG.ENCRYPTED_SESSION_KEY && this.rsa) {
        const b64 = value(prop(parseClixml(m.data), 'EncryptedSessionKey'));
        this.sessionKey = decryptSessionKey(this.rsa.privateKey, String(b64));
      }
    }
    return got;
  }

  /** PUBLIC_KEY [MS-PSRP 2.2.2.3] with a fresh RSA-2048 key pair (the client's, kept to read the session key). */
  async sendPublicKey(): Promise<void> {
    this.rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await this.sendPool(MSG.PUBLIC_KEY, `<Obj RefId="0"><MS><S N="PublicKey">${publicKeyBlob(this.rsa.publicKey)}</S></MS></Obj>`);
  }

  /** The client-started exchange: PUBLIC_KEY, then pool Receives until ENCRYPTED_SESSION_KEY. */
  async exchangeKeys(): Promise<Buffer> {
    await this.sendPublicKey();
    for (let i = 0; i < 5 && !this.sessionKey; i++) await this.receivePool();
    if (!this.sessionKey) throw new Error('no ENCRYPTED_SESSION_KEY');
    return this.sessionKey;
  }

  /** `<SS>` CLIXML of `text` under the session key. */
  secureString(text: string): string {
    if (!this.sessionKey) throw new Error('no session key: exchange keys first');
    return `<SS>${sealSecureString(this.sessionKey, text)}</SS>`;
  }

  /** Send a pool message (SET_MAX_RUNSPACES…) on stdin without CommandId. */
  async sendPool(type: number, data: string): Promise<void> {
    await this.call(`${RSP}/Send`, `<rsp:Send><rsp:Stream Name="stdin">${this.frag(type, data).toString('base64')}</rsp:Stream></rsp:Send>`);
  }

  /** Command with CREATE_PIPELINE; returns the CommandId (= PID). */
  async command(commands: TestCommand[], opts: { noInput?: boolean; host?: HostSpec } = {}): Promise<string> {
    const pid = randomUUID().toUpperCase();
    const args = this.frag(MSG.CREATE_PIPELINE, createPipeline(commands, opts), pid).toString('base64');
    const text = await this.call(`${RSP}/Command`, `<rsp:CommandLine CommandId="${pid}"><rsp:Command></rsp:Command><rsp:Arguments>${args}</rsp:Arguments></rsp:CommandLine>`);
    const id = /<rsp:CommandId>([^<]+)</.exec(text)?.[1];
    if (id !== pid) throw new Error(`CommandResponse echoed ${id}, sent ${pid}`);
    return pid;
  }

  /** GET_COMMAND_METADATA [MS-PSRP 2.2.2.14] for `names`, as PowerShell's probe sends it; returns the CommandId. */
  async metadata(names: string[]): Promise<string> {
    const pid = randomUUID().toUpperCase();
    const data =
      `<Obj RefId="0"><MS><Obj N="Name"><TN><T>System.String[]</T><T>System.Array</T><T>System.Object</T></TN><LST>${names.map((n) => `<S>${esc(n)}</S>`).join('')}</LST></Obj>` +
      `${enumObj('CommandType', 'System.Management.Automation.CommandTypes', 'Alias, Function, Filter, Cmdlet, Configuration', 271)}<Nil N="Namespace" /><Nil N="ArgumentList" /></MS></Obj>`;
    const args = this.frag(MSG.GET_COMMAND_METADATA, data, pid).toString('base64');
    await this.call(`${RSP}/Command`, `<rsp:CommandLine CommandId="${pid}"><rsp:Command></rsp:Command><rsp:Arguments>${args}</rsp:Arguments></rsp:CommandLine>`);
    return pid;
  }

  /** PIPELINE_INPUT per CLIXML value, then END_OF_PIPELINE_INPUT, in one Send. */
  async input(pid: string, values: string[]): Promise<void> {
    const data = Buffer.concat([...values.map((v) => this.frag(MSG.PIPELINE_INPUT, v, pid)), this.frag(MSG.END_OF_PIPELINE_INPUT, '', pid)]);
    await this.call(`${RSP}/Send`, `<rsp:Send><rsp:Stream Name="stdin" CommandId="${pid}">${data.toString('base64')}</rsp:Stream></rsp:Send>`);
  }

  async signal(pid: string, code: string): Promise<string> {
    return this.call(`${RSP}/Signal`, `<rsp:Signal CommandId="${pid}"><rsp:Code>${code}</rsp:Code></rsp:Signal>`);
  }

  /**
   * PIPELINE_HOST_RESPONSE for call `ci` [MS-PSRP 2.2.2.28], on the `pr` stream with the
   * CommandId as the WinRM client sends it (pypsrp leaves the CommandId out).
   */
  async hostResponse(pid: string, call: HostCall, answer: string | { error: string }): Promise<void> {
    const mi = enumObj('mi', 'System.Management.Automation.Remoting.RemoteHostMethodId', call.method, call.mi);
    const result = typeof answer === 'string' ? answer.replace(/^<(\w+)/, '<$1 N="mr"') : answer.error.replace(/^<(\w+)/, '<$1 N="me"');
    const data = `<Obj RefId="0"><MS><I64 N="ci">${call.ci}</I64>${mi}${result}</MS></Obj>`;
    await this.call(`${RSP}/Send`, `<rsp:Send><rsp:Stream Name="pr" CommandId="${pid}">${this.frag(MSG.PIPELINE_HOST_RESPONSE, data, pid).toString('base64')}</rsp:Stream></rsp:Send>`);
  }

  /** Receive until CommandState Done, retrying on w:TimedOut as pypsrp does; host calls answered by `onHostCall`. */
  async collect(pid: string, opts: { timeout?: string; maxResponses?: number; onHostCall?: HostResponder; poolWhileWaiting?: boolean } = {}): Promise<PipelineResult> {
    const re = new Reassembler();
    const result: PipelineResult = { output: [], hostCalls: [], pending: 0, errors: [], streams: [], sequence: [], state: -1, failure: undefined, responses: 0 };
    const toAnswer: HostCall[] = [];
    for (;;) {
      if (result.responses >= (opts.maxResponses ?? 1000)) throw new Error('pipeline never finished');
      let text: string;
      try {
        text = await this.call(`${RSP}/Receive`, `<rsp:Receive><rsp:DesiredStream CommandId="${pid}">stdout</rsp:DesiredStream></rsp:Receive>`, opts.timeout ? { timeout: opts.timeout } : {});
      } catch (e) {
        if (/Code="2150858793"/.test((e as { xml?: string }).xml ?? '')) {
          // Nothing for the pipeline yet: look at the pool's stream, where a PUBLIC_KEY_REQUEST arrives.
          if (opts.poolWhileWaiting) await this.receivePool({ timeout: 'PT1S' }).catch((err: unknown) => {
            if (!/Code="2150858793"/.test((err as { xml?: string }).xml ?? '')) throw err;
          });
          continue;
        }
        throw e;
      }
      result.responses++;
      for (const m of text.matchAll(/<rsp:Stream Name="stdout" CommandId="([^"]+)">([^<]*)<\/rsp:Stream>/g)) {
        if (m[1] !== pid) throw new Error(`stream for ${m[1]} in a Receive for ${pid}`);
        for (const d of re.feed(m[2]!)) {
          const node = d.data === '' ? undefined : parseClixml(d.data);
          const hostMethod = d.type === MSG.PIPELINE_HOST_CALL && node ? prop(node, 'mi')?.children.find((c) => c.tag === 'ToString')?.text : undefined;
          result.sequence.push({ type: `${MSG_NAME[d.type] ?? String(d.type)}${hostMethod === undefined ? '' : ` ${hostMethod}`}`, node });
          if (d.type === MSG.PIPELINE_OUTPUT) result.output.push(node ? value(node) : null);
          else if (d.type === MSG.PIPELINE_HOST_CALL && node) {
            const mi = prop(node, 'mi');
            const call: HostCall = {
              ci: Number(value(prop(node, 'ci'))),
              mi: Number(mi?.children.find((c) => c.tag === 'I32')?.text),
              method: mi?.children.find((c) => c.tag === 'ToString')?.text ?? '',
              args: prop(node, 'mp')?.children.find((c) => c.tag === 'LST')?.children ?? [],
            };
            result.hostCalls.push(call);
            if (call.ci > 0) toAnswer.push(call);
          }
          else if (d.type === MSG.ERROR_RECORD && node) result.errors.push(node);
          else if (d.type === MSG.PIPELINE_STATE && node) {
            result.state = Number(value(prop(node, 'PipelineState')));
            result.failure = prop(node, 'ExceptionAsErrorRecord');
          } else if (node) result.streams.push({ type: MSG_NAME[d.type] ?? String(d.type), message: value(prop(node, 'InformationalRecord_Message') ?? prop(node, 'MessageData') ?? prop(node, 'Activity')) });
        }
      }
      if (/CommandState\/Done"/.test(text)) {
        if (result.state < 0) throw new Error('CommandState Done before PIPELINE_STATE');
        return result;
      }
      if (/CommandState\/Pending"/.test(text)) result.pending++;
      for (const call of toAnswer.splice(0)) {
        if (!opts.onHostCall) throw new Error(`host call ${call.method} (ci ${call.ci}) with nobody to answer it`);
        await this.hostResponse(pid, call, opts.onHostCall(call));
      }
    }
  }

  async close(): Promise<void> {
    await this.call('http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete', '');
  }
}

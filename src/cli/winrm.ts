// `winrm-emulator winrm …`: Windows' winrm.cmd vocabulary (get, set, enumerate, create, delete,
// identify, invoke; `winrm/config/Listener?Address=*+Transport=HTTPS`, `@{Name="value";…}`,
// -r: -u: -p: -a: -skipCAcheck -format:), printing what winrm.cmd prints (winrm-config.md §4).
// It is a small WS-Man client usable against any WinRM host, or, with --config FILE, a reader of
// a configuration file without a running emulator.
import { loadConfig } from '../config/load.js';
import type { EmulatorConfig } from '../config/types.js';
import { WsmanClient, type RequestSpec } from '../client/wsman-client.js';
import { FAULTS, type FaultSpec } from '../wsman/faults.js';
import { NS } from '../wsman/ns.js';
import { child, childElements, parseXml, textOf, type XmlElement } from '../wsman/xml.js';
import { CONFIG_RESOURCES } from '../wsman/config/tree.js';
import { renderConfigResource, renderCertMapping, renderListener } from '../wsman/config/document.js';
import { faultText, itemsText, resourceText } from '../wsman/config/text.js';

export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

const ALIASES: ReadonlyArray<readonly [string, string]> = [
  // winrm.vbs `help aliases` (winrm-config.md §1); matched case-insensitively on the first segment.
  ['wmicimv2', 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2'],
  ['wmi', 'http://schemas.microsoft.com/wbem/wsman/1/wmi'],
  ['cimv2', 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2'],
  ['winrm', 'http://schemas.microsoft.com/wbem/wsman/1'],
  ['wsman', 'http://schemas.microsoft.com/wbem/wsman/1'],
  ['shell', 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell'],
];

export interface ParsedResource {
  readonly uri: string;
  readonly selectors: Array<[string, string]>;
}

/** `winrm/config/Listener?Address=*+Transport=HTTPS` → full URI and selectors. */
export function parseResource(text: string): ParsedResource {
  const q = text.indexOf('?');
  const path = q < 0 ? text : text.slice(0, q);
  const selectors: Array<[string, string]> = [];
  if (q >= 0) {
    for (const part of text.slice(q + 1).split('+')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`the selector '${part}' is not Name=Value`);
      selectors.push([part.slice(0, eq), part.slice(eq + 1)]);
    }
  }
  if (/^https?:\/\//i.test(path)) return { uri: path, selectors };
  const slash = path.indexOf('/');
  const head = (slash < 0 ? path : path.slice(0, slash)).toLowerCase();
  const alias = ALIASES.find(([a]) => a === head);
  if (!alias) throw new UsageError(`'${path}' is neither a full resource URI nor one of the aliases ${ALIASES.map(([a]) => a).join(', ')}`);
  return { uri: alias[1] + (slash < 0 ? '' : path.slice(slash)), selectors };
}

/** `@{Name="value";Other="x"}` (PowerShell-style hashtable as winrm.cmd takes it). */
export function parseHashtable(text: string): Array<[string, string]> {
  const m = /^@\{([\s\S]*)\}$/.exec(text.trim());
  if (!m) throw new UsageError(`expected @{Name="value";…}, got ${text}`);
  const out: Array<[string, string]> = [];
  const re = /\s*([^=;\s]+)\s*=\s*("((?:[^"]|"")*)"|[^;]*)\s*(?:;|$)/gy;
  const body = m[1] ?? '';
  let r: RegExpExecArray | null;
  let consumed = 0;
  while (consumed < body.length && (r = re.exec(body)) !== null) {
    out.push([r[1]!, r[3] !== undefined ? r[3].replace(/""/g, '"') : (r[2] ?? '').trim()]);
    consumed = re.lastIndex;
  }
  if (body.slice(consumed).trim() !== '') throw new UsageError(`cannot read '${body.slice(consumed)}' in ${text}`);
  return out;
}

export class UsageError extends Error {}

const USAGE = `Usage: winrm-emulator winrm OPERATION RESOURCE [@{Name="value";…}] [-r:ENDPOINT] [-u:USER] [-p:PASSWORD] [-a:basic|negotiate] [-skipCAcheck] [-format:text|xml]
       winrm-emulator winrm OPERATION RESOURCE --config FILE      (read a configuration file, no emulator needed)
Operations (Windows' names and short forms): get|g, set|s, enumerate|e, create|c, delete|d, identify|id, invoke|i ACTION.
Resources: full URIs or aliases (winrm/config/service, winrm/config/Listener?Address=*+Transport=HTTPS, wmicimv2/Win32_Service?Name=WinRM).
Default endpoint: http://localhost:5985/wsman with Negotiate (NTLM with message encryption).
`;

interface Options {
  remote: string;
  user: string | undefined;
  password: string | undefined;
  auth: 'basic' | 'negotiate';
  insecure: boolean;
  format: 'text' | 'xml';
  config: string | undefined;
}

function parseArgs(argv: string[]): { positional: string[]; opts: Options } {
  const opts: Options = { remote: 'http://localhost:5985/wsman', user: undefined, password: undefined, auth: 'negotiate', insecure: false, format: 'text', config: undefined };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config') {
      opts.config = argv[++i];
      continue;
    }
    const m = /^[-/]([A-Za-z]+)(?::(.*))?$/s.exec(a);
    if (!m || a.startsWith('@{')) {
      positional.push(a);
      continue;
    }
    const [, name = '', value] = m;
    switch (name.toLowerCase()) {
      case 'r':
      case 'remote':
        opts.remote = /^https?:\/\//i.test(value ?? '') ? value! : `http://${value}:5985/wsman`;
        break;
      case 'u':
      case 'username':
        opts.user = value;
        break;
      case 'p':
      case 'password':
        opts.password = value;
        break;
      case 'a':
      case 'authentication': {
        const v = (value ?? '').toLowerCase();
        if (v === 'basic') opts.auth = 'basic';
        else if (v === 'negotiate' || v === 'default') opts.auth = 'negotiate';
        else throw new UsageError(`-a:${value ?? ''} is not supported here (basic, negotiate, default)`);
        break;
      }
      case 'skipcacheck':
      case 'skipcncheck':
      case 'skiprevocationcheck':
        opts.insecure = true;
        break;
      case 'unencrypted':
        break;
      case 'format':
        opts.format = (value ?? '').toLowerCase() === 'text' ? 'text' : 'xml';
        break;
      default:
        throw new UsageError(`unknown switch ${a}`);
    }
  }
  return { positional, opts };
}

const OPERATIONS: Readonly<Record<string, string>> = { g: 'get', get: 'get', s: 'set', set: 'set', put: 'set', e: 'enumerate', enum: 'enumerate', enumerate: 'enumerate', c: 'create', create: 'create', d: 'delete', delete: 'delete', id: 'identify', identify: 'identify', i: 'invoke', invoke: 'invoke' };

const T = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/';
const E = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/';

function sdkTextFor(code: number): string {
  const spec = (Object.values(FAULTS) as FaultSpec[]).find((f) => f.wsmanCode === code);
  return spec ? (spec.reason ?? spec.message({})).trim() : '';
}

function bodyOf(xml: string): XmlElement | undefined {
  return child(parseXml(xml), NS.s, 'Body');
}

/** Print a response the way winrm.cmd does; returns the exit code. */
function printResult(io: CliIo, opts: Options, status: number, xml: string, items = false): number {
  if (status === 401) {
    io.stderr('WSManFault\r\n    Message = Access is denied. \r\n\r\nError number:  -2147024891 0x80070005\r\nAccess is denied. \r\n');
    return 1;
  }
  if (xml === '') {
    io.stderr(`The WinRM client received an HTTP status code of ${status} from the remote WS-Management service.\r\n`);
    return 1;
  }
  const body = bodyOf(xml);
  const fault = child(body, NS.s, 'Fault');
  if (fault) {
    const wsmanFault = child(child(fault, NS.s, 'Detail'), NS.f, 'WSManFault');
    if (!wsmanFault) {
      io.stderr(`${textOf(child(fault, NS.s, 'Reason')).trim()}\r\n`);
      return 1;
    }
    io.stderr(faultText(wsmanFault, sdkTextFor(Number(/Code="(\d+)"/.exec(xml)?.[1] ?? '0'))));
    return 1;
  }
  if (opts.format === 'xml') {
    io.stdout(`${xml}\r\n`);
    return 0;
  }
  const kids = childElements(body!);
  io.stdout(items ? itemsText(kids) : kids[0] ? resourceText(kids[0]) : '');
  return 0;
}

function offline(io: CliIo, op: string, res: ParsedResource, config: EmulatorConfig): number {
  const prefix = 'http://schemas.microsoft.com/wbem/wsman/1/config';
  const lower = res.uri.toLowerCase();
  if (!lower.startsWith(prefix)) throw new UsageError('with --config only winrm/config resources can be read');
  const suffix = lower.slice(prefix.length);
  if (op === 'get' && CONFIG_RESOURCES.has(suffix)) {
    const r = CONFIG_RESOURCES.get(suffix)!;
    io.stdout(resourceText(parseXml(renderConfigResource(r.node, r.ns, config.winrm))));
    return 0;
  }
  if (suffix === '/listener' && (op === 'enumerate' || op === 'get')) {
    const sel = new Map(res.selectors.map(([k, v]) => [k.toLowerCase(), v]));
    const items = config.winrm.Listener.filter((l) => op === 'enumerate' || (l.Address.toLowerCase() === (sel.get('address') ?? '').toLowerCase() && l.Transport === (sel.get('transport') ?? '').toUpperCase()));
    io.stdout(itemsText(items.map((l) => parseXml(renderListener(l, [])))));
    return 0;
  }
  if (suffix === '/service/certmapping' && op === 'enumerate') {
    io.stdout(itemsText(config.winrm.Service.CertMapping.map((m) => parseXml(renderCertMapping(m)))));
    return 0;
  }
  throw new UsageError(`with --config, '${op}' of ${res.uri} needs a running emulator (it changes or reads live state)`);
}

export async function runWinrmCommand(argv: string[], io: CliIo): Promise<number> {
  try {
    const { positional, opts } = parseArgs(argv);
    const [opName, ...rest] = positional;
    if (!opName || opName === 'help' || opName === '-?' || opName === '/?') {
      io.stdout(USAGE);
      return opName ? 0 : 2;
    }
    const op = OPERATIONS[opName.toLowerCase()];
    if (!op) throw new UsageError(`unknown operation '${opName}'`);

    if (op === 'identify') {
      const client = new WsmanClient({ endpoint: opts.remote, auth: opts.user ? opts.auth : 'none', ...(opts.user ? { user: opts.user } : {}), ...(opts.password ? { password: opts.password } : {}), insecure: opts.insecure });
      try {
        const xml = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>';
        const r = await client.post(xml, opts.user ? {} : { WSMANIDENTIFY: 'unauthenticated' });
        return printResult(io, opts, r.status, r.text);
      } finally {
        client.close();
      }
    }

    let actionName: string | undefined;
    if (op === 'invoke') actionName = rest.shift();
    const resourceText_ = rest.shift();
    if (!resourceText_) throw new UsageError(`'${op}' needs a resource URI`);
    const res = parseResource(resourceText_);
    const table = rest[0] !== undefined ? parseHashtable(rest.join(' ')) : [];

    if (opts.config !== undefined) return offline(io, op, res, loadConfig({ file: opts.config, env: {} }).config);

    const client = new WsmanClient({ endpoint: opts.remote, auth: opts.auth, ...(opts.user ? { user: opts.user } : {}), ...(opts.password ? { password: opts.password } : {}), insecure: opts.insecure });
    try {
      const base = { resourceUri: res.uri, selectors: res.selectors };
      const send = (spec: Omit<RequestSpec, 'resourceUri' | 'selectors'>) => client.send({ ...base, ...spec });
      switch (op) {
        case 'get': {
          const r = await send({ action: `${T}Get` });
          return printResult(io, opts, r.status, r.text);
        }
        case 'delete': {
          const r = await send({ action: `${T}Delete` });
          return printResult(io, opts, r.status, r.text);
        }
        case 'set': {
          // As winrm.cmd does: Get the resource, change the named elements, Put it all back.
          const got = await send({ action: `${T}Get` });
          if (got.status !== 200) return printResult(io, opts, got.status, got.text);
          const root = childElements(bodyOf(got.text)!)[0];
          if (!root) throw new UsageError('the Get returned no resource to change');
          let doc = /<s:Body>([\s\S]*)<\/s:Body>/.exec(got.text)?.[1] ?? '';
          for (const [name, value] of table) {
            const re = new RegExp(`(<([A-Za-z0-9_]+:)?${name}(?:\\s[^>]*)?>)[^<]*(</([A-Za-z0-9_]+:)?${name}>)`, 'i');
            if (!re.test(doc)) throw new UsageError(`${name} is not a setting of ${root.local}`);
            doc = doc.replace(re, `$1${value.replace(/&/g, '&amp;').replace(/</g, '&lt;')}$3`);
          }
          const r = await send({ action: `${T}Put`, body: doc });
          return printResult(io, opts, r.status, r.text);
        }
        case 'create': {
          const name = res.uri.split('/').pop() ?? '';
          const rootName = name.toLowerCase() === 'listener' ? 'Listener' : name.toLowerCase() === 'certmapping' ? 'CertMapping' : name;
          const body = `<p:${rootName} xmlns:p="${res.uri}">${table.map(([k, v]) => `<p:${k}>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p:${k}>`).join('')}</p:${rootName}>`;
          const r = await send({ action: `${T}Create`, body });
          if (r.status === 200 && opts.format === 'text') {
            // winrm.cmd prints the new resource's EPR.
            const created = child(bodyOf(r.text), NS.x, 'ResourceCreated');
            if (created) {
              io.stdout(resourceText(created));
              return 0;
            }
          }
          return printResult(io, opts, r.status, r.text);
        }
        case 'invoke': {
          if (!actionName) throw new UsageError("invoke needs an action, e.g. 'invoke Create wmicimv2/Win32_Process @{CommandLine=\"…\"}'");
          const body = `<p:${actionName}_INPUT xmlns:p="${res.uri}">${table.map(([k, v]) => `<p:${k}>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p:${k}>`).join('')}</p:${actionName}_INPUT>`;
          const r = await send({ action: `${res.uri}/${actionName}`, body });
          return printResult(io, opts, r.status, r.text);
        }
        case 'enumerate': {
          const first = await send({ action: `${E}Enumerate`, body: '<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements></n:Enumerate>' });
          if (first.status !== 200) return printResult(io, opts, first.status, first.text);
          const items: XmlElement[] = [];
          let reply = bodyOf(first.text);
          let response = child(reply, NS.n, 'EnumerateResponse');
          items.push(...childElements(child(response, NS.w, 'Items') ?? child(response, NS.n, 'Items') ?? response!).filter((e) => e.local !== 'EnumerationContext' && e.local !== 'EndOfSequence' && e.ns !== NS.w && e.ns !== NS.n));
          let context = textOf(child(response, NS.n, 'EnumerationContext')).trim();
          for (let pulls = 0; context !== '' && pulls < 10_000; pulls++) {
            const pull = await send({ action: `${E}Pull`, body: `<n:Pull xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><n:EnumerationContext>${context}</n:EnumerationContext><n:MaxElements>32000</n:MaxElements></n:Pull>` });
            if (pull.status !== 200) return printResult(io, opts, pull.status, pull.text);
            reply = bodyOf(pull.text);
            response = child(reply, NS.n, 'PullResponse');
            items.push(...childElements(child(response, NS.n, 'Items')!));
            context = child(response, NS.n, 'EndOfSequence') ? '' : textOf(child(response, NS.n, 'EnumerationContext')).trim();
          }
          if (opts.format === 'xml') io.stdout(`${first.text}\r\n`);
          else io.stdout(itemsText(items));
          return 0;
        }
      }
      throw new UsageError(`unknown operation '${opName}'`);
    } finally {
      client.close();
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`winrm: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    const err = e as Error & { code?: string };
    io.stderr(`winrm: ${err.code === 'ECONNREFUSED' ? 'cannot connect: nothing listens at that endpoint (start the emulator, or pass -r:URL)' : err.message}\n`);
    return 1;
  }
}

// The configuration as WS-Man resources, live (issue: configuration resources): Get/Put of
// winrm/config and its parts, Get/Put/Create/Delete/Enumerate of listeners and certificate
// mappings. Changes go through the host (the next request sees them) and, for listeners, through
// a ListenerControl the edge implements (a created HTTPS listener starts serving, a deleted one
// stops). Sans-I/O: the control is an interface.
import type { CertMappingConfig, ListenerConfig, WinrmConfig } from '../../config/types.js';
import type { Host } from '../../hosts/host.js';
import { WsmanFault } from '../faults.js';
import { NS, RESOURCE_URIS } from '../ns.js';
import type { Enumerations } from '../enumeration.js';
import type { OperationContext, OperationResponse, ResourceHandlers } from '../service.js';
import { attr, childElements, textOf, type XmlElement } from '../xml.js';
import { CONFIG_RESOURCES } from './tree.js';
import { renderCertMapping, renderConfigResource, renderListener } from './document.js';
import { applyPut, type ConfigValidator } from './put.js';

export interface ListenerControl {
  /** Addresses each enabled listener is bound to (ListeningOn). */
  listeningOn(l: ListenerConfig): string[];
  /** Apply the new listener list: start what is new or changed, stop what is gone. */
  apply(next: readonly ListenerConfig[]): Promise<void>;
  /** Validate one listener as the config schema does (defaults filled in). */
  validate(raw: Record<string, unknown>): { ok: true; listener: ListenerConfig } | { ok: false; problems: string[] };
}

export interface ConfigHandlersOptions {
  readonly host: Host;
  readonly listeners: ListenerControl;
  readonly validate: ConfigValidator;
  readonly enumerations: Enumerations;
  /** Told after every change (optional write-back to the YAML file). */
  readonly onChange?: (winrm: WinrmConfig) => void;
}

const T = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/';

function suffixOf(uri: string): string {
  return uri.toLowerCase().slice(RESOURCE_URIS.config.length);
}

function sel(ctx: OperationContext, name: string): string | undefined {
  return ctx.req.selectors.get(name.toLowerCase())?.value;
}

function requireSelectors(ctx: OperationContext, names: readonly string[]): string[] {
  const missing = names.filter((n) => sel(ctx, n) === undefined);
  if (missing.length > 0) throw new WsmanFault('InvalidSelectorsForResource', { why: `The resource needs the selectors ${names.join(', ')}; missing: ${missing.join(', ')}. ` });
  return names.map((n) => sel(ctx, n)!);
}

/** Body children by lower-cased local name (any namespace, any case: winrm-config.md §1). */
function fields(body: XmlElement | undefined): Map<string, { name: string; value: string }> {
  const root = body ? childElements(body)[0] : undefined;
  const out = new Map<string, { name: string; value: string }>();
  if (!root) return out;
  for (const c of childElements(root)) {
    const nil = (attr(c, 'nil', NS.xsi) ?? '').toLowerCase() === 'true';
    out.set(c.local.toLowerCase(), { name: c.local, value: nil ? '' : textOf(c).trim() });
  }
  return out;
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function configHandlers(opts: ConfigHandlersOptions): ResourceHandlers {
  const { host } = opts;

  const commit = (winrm: WinrmConfig) => {
    host.replaceWinrmConfig(winrm);
    opts.onChange?.(winrm);
  };

  const findListener = (ctx: OperationContext) => {
    const [address, transport] = requireSelectors(ctx, ['Address', 'Transport']);
    const l = host.winrm.Listener.find((x) => sameAddress(x.Address, address!) && x.Transport === transport!.toUpperCase());
    if (!l) throw new WsmanFault('ResourceNotFound');
    return l;
  };

  const findMapping = (ctx: OperationContext) => {
    const [issuer, subject, uri] = requireSelectors(ctx, ['Issuer', 'Subject', 'URI']);
    const m = host.winrm.Service.CertMapping.find((x) => x.Issuer.toLowerCase() === issuer!.toLowerCase() && x.Subject.toLowerCase() === subject!.toLowerCase() && x.URI === uri);
    if (!m) throw new WsmanFault('ResourceNotFound');
    return m;
  };

  const get = (body: string): OperationResponse => ({ action: `${T}GetResponse`, namespaces: 'get', body: [body] });
  const put = (body: string): OperationResponse => ({ action: `${T}PutResponse`, namespaces: 'get', body: [body] });

  const listenerFromBody = (ctx: OperationContext, base: Partial<ListenerConfig>): ListenerConfig => {
    const f = fields(ctx.req.body);
    if (f.has('listeningon')) throw new WsmanFault('ConfigInternalSetting', { setting: 'ListeningOn' });
    const raw: Record<string, unknown> = { ...base };
    for (const key of ['Port', 'Hostname', 'Enabled', 'URLPrefix', 'CertificateThumbprint'] as const) {
      const v = f.get(key.toLowerCase());
      if (v !== undefined) raw[key] = v.value;
    }
    const checked = opts.listeners.validate(raw);
    if (!checked.ok) throw new WsmanFault('ConfigInvalidValue', { why: checked.problems.join('; ') });
    return checked.listener;
  };

  const mappingFromBody = (ctx: OperationContext, base: Partial<CertMappingConfig>): CertMappingConfig => {
    const f = fields(ctx.req.body);
    const userName = f.get('username')?.value ?? base.UserName ?? '';
    if (userName === '' || userName.includes('\\') || userName.includes('@')) throw new WsmanFault('ConfigInvalidValue', { why: 'UserName must name a local account (certificate mappings log on as local accounts only).' });
    if (!host.findLocalUser(userName)) throw new WsmanFault('ConfigInvalidValue', { why: `UserName ${userName} is not a local account of this host.` });
    const enabled = (f.get('enabled')?.value ?? String(base.Enabled ?? true)).toLowerCase();
    if (enabled !== 'true' && enabled !== 'false') throw new WsmanFault('ConfigInvalidValue', { why: 'Enabled must be true or false.' });
    return { Issuer: base.Issuer ?? '', Subject: base.Subject ?? '', URI: base.URI ?? '*', UserName: userName, Enabled: enabled === 'true' };
  };

  return {
    Get(ctx) {
      const s = suffixOf(ctx.req.resourceUri ?? '');
      const r = CONFIG_RESOURCES.get(s);
      if (r) return get(renderConfigResource(r.node, r.ns, host.winrm));
      if (s === '/listener') {
        const l = findListener(ctx);
        return get(renderListener(l, opts.listeners.listeningOn(l)));
      }
      if (s === '/service/certmapping') return get(renderCertMapping(findMapping(ctx)));
      throw new WsmanFault('ActionMismatch', { operation: 'Get' });
    },

    async Put(ctx) {
      const s = suffixOf(ctx.req.resourceUri ?? '');
      const r = CONFIG_RESOURCES.get(s);
      if (r) {
        const { winrm } = applyPut(r.node, ctx.req.body, host.winrm, opts.validate);
        commit(winrm);
        return put(renderConfigResource(r.node, r.ns, winrm));
      }
      if (s === '/listener') {
        const old = findListener(ctx);
        const next = listenerFromBody(ctx, old);
        const list = host.winrm.Listener.map((l) => (l === old ? next : l));
        await opts.listeners.apply(list);
        commit({ ...host.winrm, Listener: list });
        return put(renderListener(next, opts.listeners.listeningOn(next)));
      }
      if (s === '/service/certmapping') {
        const old = findMapping(ctx);
        const next = mappingFromBody(ctx, old);
        commit({ ...host.winrm, Service: { ...host.winrm.Service, CertMapping: host.winrm.Service.CertMapping.map((m) => (m === old ? next : m)) } });
        return put(renderCertMapping(next));
      }
      throw new WsmanFault('ActionMismatch', { operation: 'Put' });
    },

    async Create(ctx) {
      const s = suffixOf(ctx.req.resourceUri ?? '');
      if (s === '/listener') {
        const [address, transport] = requireSelectors(ctx, ['Address', 'Transport']);
        if (host.winrm.Listener.some((l) => sameAddress(l.Address, address!) && l.Transport === transport!.toUpperCase())) throw new WsmanFault('AlreadyExists');
        const next = listenerFromBody(ctx, { Address: address!, Transport: transport!.toUpperCase() as ListenerConfig['Transport'] });
        const list = [...host.winrm.Listener, next];
        await opts.listeners.apply(list);
        commit({ ...host.winrm, Listener: list });
        return created(ctx, [
          ['Address', next.Address],
          ['Transport', next.Transport],
        ]);
      }
      if (s === '/service/certmapping') {
        const [issuer, subject, uri] = requireSelectors(ctx, ['Issuer', 'Subject', 'URI']);
        if (!/^[0-9A-Fa-f]{40}$/.test(issuer!)) throw new WsmanFault('ConfigInvalidValue', { why: 'Issuer must be the 40-hex thumbprint of the certificate that signs the client certificates.' });
        if (host.winrm.Service.CertMapping.some((m) => m.Issuer.toLowerCase() === issuer!.toLowerCase() && m.Subject.toLowerCase() === subject!.toLowerCase() && m.URI === uri)) throw new WsmanFault('AlreadyExists');
        const next = mappingFromBody(ctx, { Issuer: issuer!.toUpperCase(), Subject: subject!, URI: uri! });
        commit({ ...host.winrm, Service: { ...host.winrm.Service, CertMapping: [...host.winrm.Service.CertMapping, next] } });
        return created(ctx, [
          ['URI', next.URI],
          ['Subject', next.Subject],
          ['Issuer', next.Issuer],
        ]);
      }
      throw new WsmanFault('ActionMismatch', { operation: 'Create' });
    },

    async Delete(ctx) {
      const s = suffixOf(ctx.req.resourceUri ?? '');
      if (s === '/listener') {
        const old = findListener(ctx);
        const list = host.winrm.Listener.filter((l) => l !== old);
        await opts.listeners.apply(list);
        commit({ ...host.winrm, Listener: list });
      } else if (s === '/service/certmapping') {
        const old = findMapping(ctx);
        commit({ ...host.winrm, Service: { ...host.winrm.Service, CertMapping: host.winrm.Service.CertMapping.filter((m) => m !== old) } });
      } else throw new WsmanFault('ActionMismatch', { operation: 'Delete' });
      return { action: `${T}DeleteResponse`, namespaces: 'delete', body: [] };
    },

    Enumerate(ctx) {
      const s = suffixOf(ctx.req.resourceUri ?? '');
      const items =
        s === '/listener'
          ? host.winrm.Listener.map((l) => renderListener(l, opts.listeners.listeningOn(l)))
          : s === '/service/certmapping'
            ? host.winrm.Service.CertMapping.map((m) => renderCertMapping(m))
            : undefined;
      // Enumerate on any other config URI: ActionMismatch (PR ansible/ansible#32531).
      if (!items) throw new WsmanFault('ActionMismatch', { operation: 'Enumerate' });
      return opts.enumerations.enumerate({ body: ctx.req.body, owner: ctx.principal.displayName, maxBatchItems: host.winrm.MaxBatchItems, timeoutMs: host.winrm.Service.EnumerationTimeoutms }, items);
    },

    Pull: (ctx) => opts.enumerations.pull(ctx.req.body, ctx.principal.displayName, host.winrm.MaxBatchItems, host.winrm.Service.EnumerationTimeoutms),
    Release: (ctx) => opts.enumerations.release(ctx.req.body, ctx.principal.displayName),
  };
}

/** ResourceCreated with the new item's EPR (winrm-config.md §7.1, [WSMV §4.2.3]). */
function created(ctx: OperationContext, selectors: ReadonlyArray<readonly [string, string]>): OperationResponse {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const set = selectors.map(([k, v]) => `<w:Selector Name="${k}">${esc(v)}</w:Selector>`).join('');
  return {
    action: `${T}CreateResponse`,
    namespaces: 'get',
    body: [
      `<x:ResourceCreated><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address><a:ReferenceParameters><w:ResourceURI>${esc(ctx.req.resourceUri ?? '')}</w:ResourceURI><w:SelectorSet>${set}</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`,
    ],
  };
}

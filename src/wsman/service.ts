// The WS-Management service core: parsed envelope in, response envelope out. Sans-I/O: the
// listener hands it decoded text and an authenticated principal (or none, for an anonymous
// Identify); clock and ids are injected. Order of checks: envelope → Identify → catalogue →
// authorisation → action table (architecture.md §2.3).
import type { Clock, IdSource } from '../core/clock.js';
import type { Host } from '../hosts/host.js';
import type { Principal } from '../auth/types.js';
import { authorize, networkLogonToken } from '../authz/token.js';
import { ACTION_BY_URI, type ActionName } from './ns.js';
import { readEnvelope, type WsmanRequest } from './envelope.js';
import { WsmanFault } from './faults.js';
import { renderEnvelope, renderFault, renderIdentify, type NamespaceSet } from './render.js';
import { requiredAccess, resolveResource, type Resource } from './catalog.js';
import type { OutElement } from './xml.js';

export interface OperationContext {
  readonly req: WsmanRequest;
  readonly resource: Resource;
  readonly principal: Principal;
  readonly host: Host;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** The host name or IP the client addressed, for Machine attributes and fault details. */
  readonly machine: string;
  readonly clientIp: string;
  /** Aborted when the client goes away; long polls stop waiting. */
  readonly signal: AbortSignal;
}

export interface OperationResponse {
  readonly action: string;
  readonly namespaces: NamespaceSet;
  readonly body: ReadonlyArray<OutElement | string>;
}

export type Handler = (ctx: OperationContext) => OperationResponse | Promise<OperationResponse>;

/** Handlers for one kind of resource; a missing action answers ActionNotSupported. */
/**
 * Handlers for one kind of resource; a missing action answers ActionNotSupported. `Invoke` takes
 * custom actions (`<ResourceURI>/<Method>`, WMI methods) that are not WS-Transfer/Enumeration/Shell.
 */
export type ResourceHandlers = Partial<Record<ActionName, Handler>> & { readonly Invoke?: Handler };

export interface ServiceOptions {
  readonly host: Host;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Per resource kind; kinds without handlers answer "not emulated yet". */
  readonly resources: Partial<Record<Resource['kind'], ResourceHandlers>>;
}

export interface ServiceRequest {
  readonly text: string;
  /** Undefined only for an Identify the listener let through unauthenticated. */
  readonly principal: Principal | undefined;
  readonly tls: boolean;
  readonly machine: string;
  readonly clientIp: string;
  readonly signal: AbortSignal;
  /** Sent without Content-Length (chunked): shell verbs refuse it [WSMV 3.1.4.1.31.8]. */
  readonly chunked?: boolean;
}

export interface ServiceResponse {
  readonly status: 200 | 500;
  readonly xml: string;
  /** For the one log line per operation. */
  readonly operation: string;
  readonly fault?: string;
  readonly resourceUri?: string;
  /** Why authorisation refused, for the log (never sent on the wire). */
  readonly denyReason?: string;
  /** An unexpected error behind an InternalError fault: logged with its stack, never sent. */
  readonly error?: unknown;
}

const NOT_EMULATED: Record<Resource['kind'], string> = {
  cmdShell: 'WinRS cmd shells',
  shell: 'the generic shell resource',
  config: 'the winrm/config resources',
  powershell: 'PowerShell Remoting (PSRP)',
  wmi: 'WMI resources',
};

const SECPROFILE = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile';

export class WsmanService {
  constructor(private readonly opts: ServiceOptions) {}

  /**
   * The last Identify read and answered (decision 0006): clients send the same Identify bytes
   * every time, and readEnvelope and renderIdentify are pure, so a byte-identical request under
   * the same limits and facts gets the same answer without reading or writing it again. One
   * entry per kind of caller; anything else goes the whole way.
   */
  private identifyMemo: { text: string; limits: string; facts: string; response: ServiceResponse }[] = [];

  /** The action table: one handler per action, routing to the resource's own handler. */
  private readonly actions = Object.fromEntries(
    [...ACTION_BY_URI.values()].map((name) => [name, (ctx: OperationContext) => this.route(name, ctx)]),
  ) as Record<ActionName, Handler>;

  private route(name: ActionName, ctx: OperationContext): OperationResponse | Promise<OperationResponse> {
    const handlers = this.opts.resources[ctx.resource.kind];
    if (!handlers) throw new WsmanFault('NotEmulated', { what: NOT_EMULATED[ctx.resource.kind] });
    const h = handlers[name];
    if (!h) throw new WsmanFault('ActionNotSupported', { action: ctx.req.action });
    return h(ctx);
  }

  /**
   * The answer to `r` when it is an Identify byte-identical to one answered before under the same
   * limits and facts, else undefined. Synchronous, so the listener can answer a repeated anonymous
   * Identify without a promise chain (decision 0007); `handle` starts with the same lookup.
   */
  memoIdentify(r: Pick<ServiceRequest, 'text' | 'principal' | 'tls'>): ServiceResponse | undefined {
    const limits = this.limitsKey();
    const facts = this.identifyKey(r);
    for (const m of this.identifyMemo) {
      if (m.text === r.text && m.limits === limits && m.facts === facts) return m.response;
    }
    return undefined;
  }

  private limitsKey(): string {
    return `${this.opts.host.winrm.MaxEnvelopeSizekb}/${this.opts.host.winrm.MaxTimeoutms}`;
  }

  async handle(r: ServiceRequest): Promise<ServiceResponse> {
    const { host, ids } = this.opts;
    let req: WsmanRequest | undefined;
    let denyReason: string | undefined;
    const memo = this.memoIdentify(r);
    if (memo) return memo;
    try {
      req = readEnvelope(r.text, {
        maxEnvelopeSizeBytes: host.winrm.MaxEnvelopeSizekb * 1024,
        maxTimeoutMs: host.winrm.MaxTimeoutms,
      });
      if (req.isIdentify) {
        const response: ServiceResponse = { status: 200, xml: renderIdentify(this.identifyFacts(r)), operation: 'Identify' };
        const facts = this.identifyKey(r);
        this.identifyMemo = [{ text: r.text, limits: this.limitsKey(), facts, response }, ...this.identifyMemo.filter((m) => m.facts !== facts)].slice(0, 4);
        return response;
      }
      if (r.principal === undefined) throw new Error('non-Identify request reached the service unauthenticated');

      const actionName = ACTION_BY_URI.get(req.action);
      if (req.resourceUri === undefined || req.resourceUri === '') throw new WsmanFault('ResourceUriRequired');
      const resource = resolveResource(host, req.resourceUri);
      if (!resource) throw new WsmanFault('ResourceNotInCatalog', { uri: req.resourceUri });
      // A custom action is a method invocation when the resource takes them (WMI), else unknown.
      const invoke = actionName === undefined && req.action.toLowerCase().startsWith(`${req.resourceUri.toLowerCase()}/`) ? this.opts.resources[resource.kind]?.Invoke : undefined;
      if (actionName === undefined && !invoke) throw new WsmanFault('ActionNotSupported', { action: req.action });
      if (r.chunked && (resource.kind === 'cmdShell' || resource.kind === 'shell' || resource.kind === 'powershell')) {
        throw new WsmanFault('ChunkedNotSupported');
      }

      const token = networkLogonToken({
        computerName: host.computerName,
        machineSid: host.machineSid,
        // The account object itself: its token is remembered by identity (decision 0007).
        user: r.principal.user,
        authPackage: r.principal.mechanism === 'Negotiate' ? 'NTLM' : r.principal.mechanism,
        policy: host.policy,
      });
      const decision = authorize({ sddl: resource.sddl, token, desired: actionName ? requiredAccess(resource, actionName) : 'execute' });
      if (!decision.allowed) {
        denyReason = decision.reason;
        throw new WsmanFault('AccessDenied');
      }

      const ctx: OperationContext = {
        req,
        resource,
        principal: r.principal,
        host,
        clock: this.opts.clock,
        ids,
        machine: r.machine,
        clientIp: r.clientIp,
        signal: r.signal,
      };
      const out = actionName ? await this.actions[actionName](ctx) : await invoke!(ctx);
      const xml = renderEnvelope({ action: out.action, namespaces: out.namespaces, relatesTo: req.messageId, messageId: `uuid:${ids.uuid()}`, body: out.body });
      // UTF-8 takes at most 3 bytes per UTF-16 code unit: count the bytes only when that could exceed the limit.
      if (xml.length * 3 > req.maxEnvelopeSize && Buffer.byteLength(xml, 'utf8') > req.maxEnvelopeSize) throw new WsmanFault('MaxEnvelopeSizeExceeded');
      return { status: 200, xml, operation: actionName ?? `Invoke ${req.action.slice(req.action.lastIndexOf('/') + 1)}`, resourceUri: req.resourceUri };
    } catch (e) {
      const fault = e instanceof WsmanFault ? e : new WsmanFault('InternalError');
      const xml = renderFault(fault, {
        relatesTo: fault.relatesTo ?? req?.messageId,
        messageId: `uuid:${ids.uuid()}`,
        machine: r.machine,
      });
      const operation = req ? (req.isIdentify ? 'Identify' : (ACTION_BY_URI.get(req.action) ?? (req.action || 'unknown'))) : 'unparsed';
      const result: ServiceResponse = {
        status: 500,
        xml,
        operation,
        fault: `${fault.spec.subcode ?? fault.spec.code} ${fault.spec.wsmanCode}`,
        ...(req?.resourceUri !== undefined ? { resourceUri: req.resourceUri } : {}),
        ...(denyReason !== undefined ? { denyReason } : {}),
        ...(e instanceof WsmanFault ? {} : { error: e }),
      };
      return result;
    }
  }

  /** What an IdentifyResponse depends on besides the request (a memo key). */
  private identifyKey(r: Pick<ServiceRequest, 'principal' | 'tls'>): string {
    if (r.principal === undefined) return `anonymous ${this.opts.host.os.stackVersion}`;
    const a = this.opts.host.winrm.Service.Auth;
    const os = this.opts.host.os;
    return `${r.tls} ${a.Basic} ${a.Negotiate} ${a.Kerberos} ${a.Certificate} ${os.version} ${os.servicePack} ${os.stackVersion}`;
  }

  /** ProductVersion and SecurityProfiles as Windows reports them (wsman-protocol.md §4.1). */
  private identifyFacts(r: Pick<ServiceRequest, 'principal' | 'tls'>) {
    const { host } = this.opts;
    const stack = host.os.stackVersion;
    if (r.principal === undefined) return { productVersion: `OS: 0.0.0 SP: 0.0 Stack: ${stack}`, securityProfiles: undefined };
    const auth = host.winrm.Service.Auth;
    const scheme = r.tls ? 'https' : 'http';
    const profiles: string[] = [];
    if (auth.Basic) profiles.push(`${SECPROFILE}/${scheme}/basic`);
    if (auth.Negotiate || auth.Kerberos) profiles.push(`${SECPROFILE}/${scheme}/spnego-kerberos`);
    if (r.tls && auth.Certificate) profiles.push(`${SECPROFILE}/https/mutual`);
    return { productVersion: `OS: ${host.os.version} SP: ${host.os.servicePack} Stack: ${stack}`, securityProfiles: profiles };
  }
}

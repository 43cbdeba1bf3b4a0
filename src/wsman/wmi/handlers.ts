// WS-Man handlers for the WMI slice: Get of an instance by its key selectors (or a singleton),
// Enumerate of a class (or a WQL query on …/cimv2/*), and Invoke of Win32_Process Create, which
// starts the command line in the sandbox. Anything else answers as Windows does for an unknown
// class or method.
import { WsmanFault } from '../faults.js';
import { NS } from '../ns.js';
import type { Enumerations } from '../enumeration.js';
import type { OperationContext, OperationResponse, ResourceHandlers } from '../service.js';
import { attr, child, childElements, textOf } from '../xml.js';
import { CIMV2, matches, parseWql, renderInstance, type HostView, type WmiClass, wmiClasses } from './classes.js';

export interface WmiHandlersOptions {
  readonly host: HostView;
  readonly enumerations: Enumerations;
  readonly maxBatchItems: () => number;
  readonly enumerationTimeoutMs: () => number;
  /** Runs a command line in the sandbox as the caller, without a shell; resolves to its pid. */
  readonly startProcess: (ctx: OperationContext, commandLine: string, currentDirectory: string | undefined) => number;
}

const WQL = 'http://schemas.microsoft.com/wbem/wsman/1/WQL';

export function wmiHandlers(opts: WmiHandlersOptions): ResourceHandlers {
  const classes = () => wmiClasses(opts.host);

  const classOf = (ctx: OperationContext): { cls: WmiClass | undefined; name: string } => {
    const uri = ctx.req.resourceUri ?? '';
    const name = uri.toLowerCase().startsWith(`${CIMV2.toLowerCase()}/`) ? uri.slice(CIMV2.length + 1) : '';
    return { cls: classes().get(name.toLowerCase()), name };
  };

  const unknownClass = () => new WsmanFault('ResourceNotFound');

  return {
    Get(ctx) {
      const { cls } = classOf(ctx);
      if (!cls) throw unknownClass();
      const conds = [...ctx.req.selectors.values()].filter((s) => !s.name.startsWith('__')).map((s) => [s.name, s.value] as [string, string]);
      const all = cls.instances();
      if (cls.keys.length > 0 && conds.length === 0) throw new WsmanFault('InvalidSelectorsForResource', { why: `${cls.name} needs the selector ${cls.keys.join(', ')}. ` });
      const inst = cls.keys.length === 0 ? all[0] : all.find((i) => matches(i, conds));
      if (!inst) throw new WsmanFault('ResourceNotFound');
      return { action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse', namespaces: 'get', body: [renderInstance(cls, inst)] };
    },

    Enumerate(ctx) {
      const en = child(ctx.req.body, NS.n, 'Enumerate');
      const filter = child(en, NS.w, 'Filter');
      let cls: WmiClass | undefined;
      let conds: Array<[string, string]> = [];
      if (filter && (attr(filter, 'Dialect', '') ?? WQL) === WQL) {
        const q = parseWql(textOf(filter));
        if (!q) throw new WsmanFault('CannotProcessFilter', { why: `The query is not supported by this emulator's WQL subset (SELECT … FROM Class [WHERE a = 'x' AND …]). ` });
        cls = classes().get(q.className.toLowerCase());
        // A bad class in WQL: n:CannotProcessFilter from the WMI plugin (fx winrb/soap_fault_v2.xml).
        if (!cls) throw new WsmanFault('CannotProcessFilter');
        conds = q.where;
      } else {
        cls = classOf(ctx).cls;
        if (!cls) throw unknownClass();
        if (filter) throw new WsmanFault('CannotProcessFilter', { why: 'Only the WQL filter dialect is emulated for WMI classes. ' });
      }
      const items = cls.instances().filter((i) => matches(i, conds)).map((i) => renderInstance(cls, i));
      return opts.enumerations.enumerate({ body: ctx.req.body, owner: ctx.principal.displayName, maxBatchItems: opts.maxBatchItems(), timeoutMs: opts.enumerationTimeoutMs() }, items);
    },

    Pull: (ctx) => opts.enumerations.pull(ctx.req.body, ctx.principal.displayName, opts.maxBatchItems(), opts.enumerationTimeoutMs()),
    Release: (ctx) => opts.enumerations.release(ctx.req.body, ctx.principal.displayName),
  };
}

/** Invoke (custom actions `<ResourceURI>/<Method>`) is routed here by the service. */
export function wmiInvoke(opts: WmiHandlersOptions, ctx: OperationContext): OperationResponse {
  const uri = ctx.req.resourceUri ?? '';
  const method = ctx.req.action.slice(ctx.req.action.lastIndexOf('/') + 1);
  if (uri.toLowerCase() !== `${CIMV2}/win32_process`.toLowerCase() || method !== 'Create') {
    throw new WsmanFault('NotEmulated', { what: `the WMI method ${method} of ${uri.split('/').pop() ?? uri}` });
  }
  const input = child(ctx.req.body, uri, 'Create_INPUT') ?? childElements(ctx.req.body!)[0];
  const field = (name: string) => {
    const e = input ? childElements(input).find((c) => c.local.toLowerCase() === name.toLowerCase()) : undefined;
    return e ? textOf(e).trim() : undefined;
  };
  const commandLine = field('CommandLine');
  // Win32_Process.Create ReturnValue 21: invalid parameter (MSDN).
  if (!commandLine) return createOutput(uri, 21, undefined);
  const pid = opts.startProcess(ctx, commandLine, field('CurrentDirectory'));
  return createOutput(uri, 0, pid);
}

function createOutput(uri: string, returnValue: number, pid: number | undefined): OperationResponse {
  return {
    action: `${uri}/CreateResponse`,
    namespaces: 'get',
    body: [`<p:Create_OUTPUT xmlns:p="${uri}">${pid !== undefined ? `<p:ProcessId>${pid}</p:ProcessId>` : ''}<p:ReturnValue>${returnValue}</p:ReturnValue></p:Create_OUTPUT>`],
  };
}

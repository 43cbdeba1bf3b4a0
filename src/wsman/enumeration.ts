// WS-Enumeration for any resource that lists items (wsman-protocol.md §4.10): Enumerate with or
// without OptimizeEnumeration, Pull, Release; MaxElements capped by MaxBatchItems; contexts that
// expire after EnumerationTimeoutms without a Pull; a bounded number of open contexts.
import type { Clock, IdSource, Timer } from '../core/clock.js';
import { WsmanFault } from './faults.js';
import { NS } from './ns.js';
import { child, textOf, type XmlElement } from './xml.js';
import type { OperationResponse } from './service.js';

/** Open enumeration contexts kept at most; beyond, the oldest is dropped. */
const MAX_CONTEXTS = 1024;

interface Context {
  readonly items: readonly string[];
  next: number;
  timer: Timer;
  readonly owner: string;
}

export interface EnumerateRequest {
  readonly body: XmlElement | undefined;
  readonly owner: string;
  readonly maxBatchItems: number;
  readonly timeoutMs: number;
}

export class Enumerations {
  private readonly contexts = new Map<string, Context>();

  constructor(
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  get size(): number {
    return this.contexts.size;
  }

  /** Items are already-rendered XML elements (one string each). */
  enumerate(req: EnumerateRequest, items: readonly string[]): OperationResponse {
    const en = child(req.body, NS.n, 'Enumerate');
    if (!en) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'Enumerate'. " });
    const optimized = child(en, NS.w, 'OptimizeEnumeration') !== undefined;
    const max = Math.max(1, Math.min(Number(textOf(child(en, NS.w, 'MaxElements')).trim() || '1'), req.maxBatchItems));
    if (!optimized) {
      const id = this.open(items, 0, req);
      return response('EnumerateResponse', [`<n:EnumerationContext>${id}</n:EnumerationContext>`]);
    }
    const batch = items.slice(0, max);
    const rest = items.length > max;
    // Finished: an empty context (the Ruby gem pulls while the context is non-empty).
    const context = rest ? this.open(items, max, req) : '';
    return response('EnumerateResponse', [
      `<n:EnumerationContext>${context}</n:EnumerationContext>`,
      ...(batch.length > 0 ? [`<w:Items>${batch.join('')}</w:Items>`] : []),
      ...(rest ? [] : ['<w:EndOfSequence/>']),
    ]);
  }

  pull(body: XmlElement | undefined, owner: string, maxBatchItems: number, timeoutMs: number): OperationResponse {
    const pullEl = child(body, NS.n, 'Pull');
    const id = textOf(child(pullEl, NS.n, 'EnumerationContext')).trim();
    const ctx = this.take(id, owner);
    const max = Math.max(1, Math.min(Number(textOf(child(pullEl, NS.n, 'MaxElements')).trim() || '1'), maxBatchItems));
    const batch = ctx.items.slice(ctx.next, ctx.next + max);
    ctx.next += batch.length;
    const done = ctx.next >= ctx.items.length;
    if (done) {
      ctx.timer.cancel();
      this.contexts.delete(id);
    } else {
      this.rearm(id, ctx, timeoutMs);
    }
    return {
      action: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/PullResponse',
      namespaces: 'enumerate',
      body: [`<n:PullResponse>${done ? '' : `<n:EnumerationContext>${id}</n:EnumerationContext>`}<n:Items>${batch.join('')}</n:Items>${done ? '<n:EndOfSequence/>' : ''}</n:PullResponse>`],
    };
  }

  release(body: XmlElement | undefined, owner: string): OperationResponse {
    const id = textOf(child(child(body, NS.n, 'Release'), NS.n, 'EnumerationContext')).trim();
    const ctx = this.take(id, owner);
    ctx.timer.cancel();
    this.contexts.delete(id);
    return { action: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/ReleaseResponse', namespaces: 'enumerate', body: [] };
  }

  private take(id: string, owner: string): Context {
    const ctx = this.contexts.get(id);
    if (!ctx || ctx.owner !== owner) throw new WsmanFault('InvalidEnumerationContext');
    return ctx;
  }

  private open(items: readonly string[], next: number, req: EnumerateRequest): string {
    if (this.contexts.size >= MAX_CONTEXTS) {
      const [oldest] = this.contexts.keys();
      if (oldest !== undefined) {
        this.contexts.get(oldest)!.timer.cancel();
        this.contexts.delete(oldest);
      }
    }
    const id = `uuid:${this.ids.uuid()}`;
    const ctx: Context = { items, next, owner: req.owner, timer: { cancel() {} } };
    this.contexts.set(id, ctx);
    this.rearm(id, ctx, req.timeoutMs);
    return id;
  }

  private rearm(id: string, ctx: Context, timeoutMs: number): void {
    ctx.timer.cancel();
    // Contexts expire after EnumerationTimeoutms without a Pull [WSMV 3.1.4.1.36].
    ctx.timer = this.clock.schedule(timeoutMs, () => this.contexts.delete(id));
  }

  closeAll(): void {
    for (const c of this.contexts.values()) c.timer.cancel();
    this.contexts.clear();
  }
}

function response(name: string, parts: string[]): OperationResponse {
  return { action: `http://schemas.xmlsoap.org/ws/2004/09/enumeration/${name}`, namespaces: 'enumerate', body: [`<n:${name}>${parts.join('')}</n:${name}>`] };
}

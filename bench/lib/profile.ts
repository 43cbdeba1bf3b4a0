// Where a server's time goes under load: a CPU profile (node:inspector) of this process, where the
// servers under test live, while the load generator (a child process) drives one scenario. Prints
// the top entries by self time, and the same samples summed by area, in µs per answered request.
// `npm run bench` runs it for every wire goal the table marks NOT met (the issue's acceptance asks
// for a profile's top entries there).
import { Session } from 'node:inspector/promises';
import { runLoad, type LoadSpec } from './load.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Areas of the code base and the runtime, first match wins (URLs of the compiled dist/). */
const AREAS: ReadonlyArray<readonly [string, RegExp]> = [
  ['socket writes (TLS encryption, writev, the kernel)', /^(writev|writeBuffer|writeUtf8String|writeLatin1String) |writevGeneric|createWriteWrap/],
  ['GC', /^\(garbage collector\)/],
  ['native, outside any JS frame (TLS and socket reads, libuv)', /^\(program\)/],
  ['writing the response XML', /wsman\/render\.js|wsman\/body\.js|shell\/winrs\/body|^(escapeText|escapeAttr|writeXml|el|attr) .*wsman\/xml\.js|^RegExp: \[&<>/],
  ['reading the envelope (XML reader, envelope)', /wsman\/xml\.js|wsman\/envelope\.js|^RegExp: \[\\t\\n\\r\]/],
  ['log lines (pino)', /pino|sonic-boom|redact|src\/logging\.js/],
  ['WinRS shells and commands, the long poll', /shell\/winrs|shell\/long-poll|shell\/backend|codepage/],
  ['the sandbox (cmd.exe, vfs, journal)', /sandbox\//],
  ['listener pipeline, authentication, authorisation', /listener\/|auth\/|authz\/|hosts\//],
  ['WS-Man service and catalogue, ids, clock', /wsman\/|core\/|emulator\.js|events\.js/],
  ['fastify', /fastify|find-my-way|toad-cache|avvio|light-my-request|fast-querystring|fast-uri/],
  ['Node: HTTP server, streams, events, timers, buffers, crypto', /node:|^\S* :-1$/],
];

export interface ProfileSummary {
  readonly requests: number;
  /** Busy CPU µs per request, all samples but idle. */
  readonly busyUsPerRequest: number;
  readonly top: ReadonlyArray<{ readonly where: string; readonly usPerRequest: number; readonly share: number }>;
  readonly areas: ReadonlyArray<{ readonly area: string; readonly usPerRequest: number; readonly share: number }>;
}

/** Self time per function (busy samples only) of a profile, for `requests` answered requests. */
export function summarise(profile: CpuProfile, requests: number, topN = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const cf = byId.get(profile.samples[i]!)?.callFrame;
    // Idle, and the inspector's own dispatch (Profiler.stop serialising the profile): not the servers'.
    if (!cf || cf.functionName === '(idle)' || (cf.functionName === 'dispatch' && cf.url === '')) continue;
    const dt = profile.timeDeltas[i] ?? 0;
    const url = cf.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/');
    const key = `${cf.functionName || '(anonymous)'} ${url}${url ? `:${cf.lineNumber + 1}` : ':-1'}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    busy += dt;
  }
  const per = (us: number) => us / Math.max(1, requests);
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([where, us]) => ({ where, usPerRequest: per(us), share: us / Math.max(1, busy) }));
  const areaTotals = new Map<string, number>();
  for (const [key, us] of self) {
    const area = AREAS.find(([, re]) => re.test(key))?.[0] ?? 'other';
    areaTotals.set(area, (areaTotals.get(area) ?? 0) + us);
  }
  const areas = [...areaTotals].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, usPerRequest: per(us), share: us / Math.max(1, busy) }));
  return { requests, busyUsPerRequest: per(busy), top, areas };
}

/** Profile this process while `spec` runs against a server in it. */
export async function profileLoad(spec: LoadSpec, samplingIntervalUs = 200): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await session.post('Profiler.start');
    let requests = 0;
    let failure: unknown;
    try {
      requests = (await runLoad(spec)).allRequests;
    } catch (e) {
      failure = e;
    }
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    if (failure !== undefined) throw failure;
    return summarise(profile, requests);
  } finally {
    session.disconnect();
  }
}

export function renderProfile(title: string, p: ProfileSummary): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`.padStart(7);
  const us = (x: number) => `${x.toFixed(1)} µs`.padStart(9);
  return [
    `${title}: ${p.busyUsPerRequest.toFixed(0)} µs of busy CPU per request in this process, ${p.requests.toLocaleString('en-US')} requests`,
    '  by area:',
    ...p.areas.map((a) => `  ${pct(a.share)} ${us(a.usPerRequest)}  ${a.area}`),
    '  top entries by self time:',
    ...p.top.map((t) => `  ${pct(t.share)} ${us(t.usPerRequest)}  ${t.where}`),
  ].join('\n');
}

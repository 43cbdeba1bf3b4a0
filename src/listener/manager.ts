// The running listeners of one emulated host, kept in step with its winrm/config/Listener list:
// at start, and live when the list changes over WS-Man (a created HTTPS listener starts serving
// with its certificate, a deleted one stops, a changed one restarts), as on Windows.
import { networkInterfaces } from 'node:os';
import type { ListenerConfig } from '../config/types.js';
import { listenerBindHost, parseListenerAddress } from '../config/address.js';
import type { CertificateStore } from '../certs/store.js';
import { describeMissingThumbprint, loadCertificateStore } from '../certs/store.js';
import { startListener, type ListenerOptions, type RunningListener } from './server.js';

export type ListenerFactoryOptions = Omit<ListenerOptions, 'listener' | 'certificate' | 'bindHost' | 'port'>;

export class ListenerError extends Error {}

const key = (l: ListenerConfig) => `${l.Address.toLowerCase()}|${l.Transport}`;
const same = (a: ListenerConfig, b: ListenerConfig) =>
  a.Port === b.Port && a.Hostname === b.Hostname && a.Enabled === b.Enabled && a.URLPrefix.toLowerCase() === b.URLPrefix.toLowerCase() && a.CertificateThumbprint === b.CertificateThumbprint;

export class ListenerManager {
  private readonly running = new Map<string, RunningListener>();
  private store: CertificateStore | undefined;

  constructor(
    private readonly opts: {
      readonly factory: ListenerFactoryOptions;
      readonly certificateStore: string;
      readonly ephemeralPorts: boolean;
    },
  ) {}

  list(): RunningListener[] {
    return [...this.running.values()];
  }

  private certificate(l: ListenerConfig) {
    if (l.Transport !== 'HTTPS') return undefined;
    // Re-read the store so a certificate added after start can back a listener created later.
    this.store = loadCertificateStore(this.opts.certificateStore);
    const cert = this.store.get(l.CertificateThumbprint);
    if (!cert?.keyPem) throw new ListenerError(describeMissingThumbprint(this.store, l.CertificateThumbprint));
    return cert;
  }

  /** Start what is new or changed, stop what is gone or disabled. All-or-nothing for new ones. */
  async apply(next: readonly ListenerConfig[]): Promise<void> {
    const wanted = new Map(next.filter((l) => l.Enabled).map((l) => [key(l), l]));
    // Validate everything first so a bad listener changes nothing.
    for (const l of wanted.values()) {
      const current = this.running.get(key(l));
      if (current && same(current.config, l)) continue;
      if (listenerBindHost(l.Address) === undefined) throw new ListenerError(`listener ${l.Address} cannot be bound by this emulator (MAC addresses are not emulated)`);
      this.certificate(l);
    }
    for (const [k, r] of [...this.running]) {
      const w = wanted.get(k);
      if (!w || !same(r.config, w)) {
        await r.app.close();
        this.running.delete(k);
      }
    }
    const startedNow: string[] = [];
    try {
      for (const [k, l] of wanted) {
        if (this.running.has(k)) continue;
        const r = await startListener({
          ...this.opts.factory,
          listener: l,
          certificate: this.certificate(l),
          bindHost: listenerBindHost(l.Address)!,
          port: this.opts.ephemeralPorts ? 0 : l.Port,
        });
        this.running.set(k, r);
        startedNow.push(k);
      }
    } catch (e) {
      for (const k of startedNow) {
        await this.running.get(k)?.app.close();
        this.running.delete(k);
      }
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new ListenerError(`cannot listen: ${err.message}. Another WinRM emulator (or service) is already using that port; stop it or change winrm.Listener[].Port.`);
      throw e;
    }
  }

  /** ListeningOn as Windows computes it: the listener's own IP, or every local address for `*`. */
  listeningOn(l: ListenerConfig): string[] {
    if (!l.Enabled) return [];
    const parsed = parseListenerAddress(l.Address);
    if (parsed.kind === 'ip') return [parsed.ip];
    const v4: string[] = [];
    const v6: string[] = [];
    for (const addrs of Object.values(networkInterfaces())) {
      for (const a of addrs ?? []) (a.family === 'IPv4' ? v4 : v6).push(a.address);
    }
    // IPv4 ascending, then ::1, then the rest (winrm-config.md §4 ListeningOn order).
    const ipv4Key = (ip: string) => ip.split('.').map((p) => p.padStart(3, '0')).join('.');
    v4.sort((a, b) => (ipv4Key(a) < ipv4Key(b) ? -1 : 1));
    v6.sort((a, b) => (a === '::1' ? -1 : b === '::1' ? 1 : a < b ? -1 : 1));
    return [...v4, ...v6];
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.app.close()));
    this.running.clear();
  }
}

// Typed events the cores and the edge emit; the emulator logs them and the admin API records them.
import { EventEmitter } from 'node:events';

export interface EmulatorEventMap {
  'auth.failed': { connection: string; remoteAddress: string; mechanism: string | undefined; reason: string };
  'auth.succeeded': { connection: string; mechanism: string; user: string };
}

export class EmulatorEvents {
  private readonly emitter = new EventEmitter();
  emit<K extends keyof EmulatorEventMap>(name: K, payload: EmulatorEventMap[K]): void {
    this.emitter.emit(name, payload);
  }
  on<K extends keyof EmulatorEventMap>(name: K, fn: (payload: EmulatorEventMap[K]) => void): () => void {
    this.emitter.on(name, fn);
    return () => this.emitter.off(name, fn);
  }
}

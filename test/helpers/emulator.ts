// Starts an in-process emulator on ephemeral loopback ports with config overrides merged over
// the embedded default, and captures its log lines.
import { Writable } from 'node:stream';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator.js';
import { loadConfig, type DeepPartial } from '../../src/config/load.js';
import type { EmulatorConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/logging.js';

export const LAB = {
  admin: { name: 'Administrator', password: 'Emu-Admin-Passw0rd!' },
  labadmin: { name: 'labadmin', password: 'Emu-LabAdmin-Passw0rd!' },
  operator: { name: 'operator', password: 'Emu-Operator-Passw0rd!' },
  visitor: { name: 'visitor', password: 'Emu-Visitor-Passw0rd!' },
} as const;

export interface TestEmulator extends Emulator {
  readonly http: string;
  readonly https: string;
  readonly logs: string[];
}

export async function startEmulator(overrides: DeepPartial<EmulatorConfig> = {}, extra: Pick<EmulatorOptions, 'backend' | 'psrpEngine'> = {}): Promise<TestEmulator> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const loaded = loadConfig({ env: {}, overrides });
  const emu = await createEmulator({ config: loaded, ephemeralPorts: true, logger: createLogger('debug', sink), ...extra });
  const url = (t: 'HTTP' | 'HTTPS') => emu.listeners.find((l) => l.transport === t)?.url.replace('localhost', '127.0.0.1') ?? '';
  return Object.assign(emu, { http: url('HTTP'), https: url('HTTPS'), logs });
}

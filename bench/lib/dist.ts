// The emulator as users run it: the compiled dist/, not the TypeScript sources through tsx (whose
// esbuild `__name` wrappers on every closure cost a few per cent per request; decision 0006).
// dist/ is rebuilt when it is missing or older than src/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as EmulatorSource from '../../src/emulator.js';
import type * as ConfigSource from '../../src/config/load.js';
import type * as LoggingSource from '../../src/logging.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = path.join(ROOT, 'dist/src/main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(path.join(ROOT, 'src'))) return;
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** Import a compiled module by its path under src/ (e.g. `emulator.js`), typed as its source. */
export async function importDist<T>(rel: string): Promise<T> {
  ensureBuilt();
  return (await import(pathToFileURL(path.join(ROOT, 'dist/src', rel)).href)) as T;
}

type EmulatorModule = typeof EmulatorSource;
type ConfigModule = typeof ConfigSource;
type LoggingModule = typeof LoggingSource;
type Emulator = Awaited<ReturnType<EmulatorModule['createEmulator']>>;

/**
 * The compiled emulator on its embedded default configuration with ephemeral ports, logging at
 * its default level and in its default mode into /dev/null (a real run pays for its log lines).
 */
export async function startDistEmulator(extra: Omit<Parameters<EmulatorModule['createEmulator']>[0], 'config' | 'logger' | 'ephemeralPorts'> = {}): Promise<Emulator> {
  const { createEmulator } = await importDist<EmulatorModule>('emulator.js');
  const { loadConfig } = await importDist<ConfigModule>('config/load.js');
  const { createLogger, logDestination } = await importDist<LoggingModule>('logging.js');
  const loaded = loadConfig({ env: {} });
  return createEmulator({ ...extra, config: loaded, ephemeralPorts: true, logger: createLogger(loaded.config.logging.level, logDestination('/dev/null', loaded.config.logging)) });
}

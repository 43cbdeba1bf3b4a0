// Temp files for config tests, under os.tmpdir().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/load.js';

let dir: string | undefined;

/** Write `text` to a fresh file in a per-run temp folder and return its absolute path. */
export function tempYaml(text: string, name = 'config.yaml'): string {
  dir ??= mkdtempSync(join(tmpdir(), 'winrm-emu-config-'));
  const folder = mkdtempSync(join(dir, 'case-'));
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

/** Remove every file tempYaml made (call from afterAll). */
export function removeTempFiles(): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

/** Run `fn`, expect a ConfigError, return it. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError, got none');
}

export const DEV_THUMBPRINT = 'C913BA3A5649BDE9F0CBDFE24897AA23315F89F6';

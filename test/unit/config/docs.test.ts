import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigurationDoc } from '../../../src/config/docs.js';
import { packageRoot } from '../../../src/config/load.js';

describe('docs/configuration.md', () => {
  it('is what `npx tsx src/config/docs.ts` generates from the schema (regenerate it after changing the schema)', () => {
    expect(readFileSync(join(packageRoot(), 'docs', 'configuration.md'), 'utf8')).toBe(renderConfigurationDoc());
  });

  it('lists every key with its Windows default', () => {
    const doc = renderConfigurationDoc();
    expect(doc).toContain('| `winrm.MaxEnvelopeSizekb` | integer | `500` |');
    expect(doc).toContain('| `winrm.Service.Auth.Basic` | boolean | `false` |');
    expect(doc).toContain('| `winrm.Listener[].CertificateThumbprint` | string |');
    expect(doc).toContain('| `users[].ntHash` | string | (optional) |');
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderFaultsDoc } from '../../../src/wsman/faults-doc.js';

describe('docs/faults.md', () => {
  it('is current with the fault catalogue (regenerate: npx tsx src/wsman/faults-doc.ts > docs/faults.md)', () => {
    expect(readFileSync(new URL('../../../docs/faults.md', import.meta.url), 'utf8')).toBe(renderFaultsDoc());
  });
});

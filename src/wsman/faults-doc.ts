// Renders docs/faults.md from the fault catalogue: `npx tsx src/wsman/faults-doc.ts > docs/faults.md`.
import { FAULTS, FAULT_ACTIONS, type FaultSpec } from './faults.js';

export function renderFaultsDoc(): string {
  const lines = [
    '# Faults',
    '',
    'Generated from `src/wsman/faults.ts` (`npx tsx src/wsman/faults-doc.ts > docs/faults.md`). Every fault goes out with',
    "HTTP 500 and `Content-Type: application/soap+xml;charset=UTF-8`, as Windows sends them. Texts keep Windows' trailing spaces.",
    '',
    '| key | s:Code | subcode | FaultDetail | WSManFault Code | fault Action | message |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [key, spec] of Object.entries(FAULTS) as Array<[string, FaultSpec]>) {
    // Placeholders show where the request's values go (<shellId>, <uri>, …).
    const placeholders = new Proxy({}, { get: (_t, k) => `<${String(k)}>` }) as Record<string, string>;
    const message = spec.message(placeholders).replace(/\|/g, '\\|').replace(/</g, '&lt;').trim();
    lines.push(
      `| ${key} | s:${spec.code} | ${spec.subcode ?? ''} | ${spec.detail ?? ''} | ${spec.wsmanCode} (0x${spec.wsmanCode.toString(16).toUpperCase()}) | \`${FAULT_ACTIONS[spec.action]}\` | ${message} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(renderFaultsDoc());

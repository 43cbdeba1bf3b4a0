// Golden check of the fault catalogue: each recorded Windows fault, rendered by our one fault
// renderer with the recording's own MessageID, RelatesTo and Machine, must match byte for byte.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fixture } from '../helpers/fixtures.js';
import { WsmanFault, type FaultKey } from '../../src/wsman/faults.js';
import { renderFault } from '../../src/wsman/render.js';
import { stripActivityId } from '../helpers/normalise.js';

interface Message {
  request: string;
  response: string;
  transport_error?: { code: number };
}

const cases: Array<[string, number, FaultKey]> = [
  ['pypsrp/test_winrs_operation_timeout.yml', 3, 'TimedOut'],
  ['pypsrp/test_winrs_bad_cmd_id.yml', 2, 'CommandNotFound'],
  ['pypsrp/test_winrs_fail_poll_process.yml', 1, 'InvalidParameter'],
  ['pypsrp/test_winrs_no_cmd_shell.yml', 1, 'FileNotFound'],
  ['pypsrp/test_psrp_is_alive_invalid_selectors.yml', 4, 'ShellNotFoundGet'],
  ['pypsrp/test_psrp_is_alive_other_wsman_error.yml', 3, 'InvalidTimeoutHeader'],
];

function pick(re: RegExp, s: string): string {
  const m = re.exec(s);
  if (!m?.[1]) throw new Error(`no match for ${re} in recording`);
  return m[1];
}

describe('recorded Windows faults render byte for byte', () => {
  for (const [file, index, key] of cases) {
    it(`${key} matches ${file} message ${index}`, () => {
      const doc = parseYaml(fixture(file)) as { messages: Message[] };
      const m = doc.messages[index];
      if (!m) throw new Error(`${file} has no message ${index}`);
      expect(m.transport_error?.code).toBe(500);
      const recorded = stripActivityId(m.response);
      const value = /invalid timeout field in the SOAP header: ([^.<]+)\./.exec(recorded)?.[1];
      const fault = new WsmanFault(key, value ? { value } : {});
      const xml = renderFault(fault, {
        relatesTo: pick(/<a:RelatesTo>(.*?)<\/a:RelatesTo>/, recorded),
        messageId: pick(/<a:MessageID>(.*?)<\/a:MessageID>/, recorded),
        machine: pick(/Machine="(.*?)"/, recorded),
      });
      expect(xml).toBe(recorded);
    });
  }
});

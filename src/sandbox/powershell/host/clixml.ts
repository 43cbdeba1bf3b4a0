// The CLIXML stream powershell.exe writes to a redirected stderr when it was started with
// -EncodedCommand (ConsoleHost: ErrorFormat XML when non-interactive, stderr redirected and the
// command encoded): "#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="…">" then one <S S="Error">
// element per error line ("…_x000D__x000A_"), <S S="warning">, <S S="verbose">, <S S="debug">,
// and "</Objs>" when the process ends. pywinrm's run_ps (_clean_error_msg) parses exactly this.

export const CLIXML_HEADER = '#< CLIXML\r\n';
export const OBJS_OPEN = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">';
export const OBJS_CLOSE = '</Objs>';

/** PowerShell's CLIXML string escaping: XML entities, control characters as _xHHHH_. */
export function escapeClixml(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    const c = s.charCodeAt(i);
    if (ch === '_' && /^x[0-9A-Fa-f]{4}_/.test(s.slice(i + 1, i + 7))) {
      out += '_x005F_';
      continue;
    }
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff && !isPairedSurrogate(s, i)) || c === 0xfffe || c === 0xffff) out += `_x${c.toString(16).toUpperCase().padStart(4, '0')}_`;
    else out += ch;
  }
  return out;
}

function isPairedSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const n = s.charCodeAt(i + 1);
    return n >= 0xdc00 && n <= 0xdfff;
  }
  const p = s.charCodeAt(i - 1);
  return p >= 0xd800 && p <= 0xdbff;
}

/** `<S S="stream">…</S>` */
export function clixmlString(stream: 'Error' | 'warning' | 'verbose' | 'debug' | 'Output', text: string): string {
  return `<S S="${stream}">${escapeClixml(text)}</S>`;
}

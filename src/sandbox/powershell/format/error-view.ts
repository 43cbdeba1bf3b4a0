// The text of an ErrorRecord as Windows PowerShell 5.1's default error view renders it
// (the "ErrorInstance" view of PowerShellCore.format.ps1xml): "<command> : <message>", the
// position message, then "+ CategoryInfo" and "+ FullyQualifiedErrorId" cut into chunks of
// (buffer width - 6) characters, and a final " " line; the console then word-wraps it.
import { positionMessage } from '../language/position.js';
import { categoryMessage } from '../runtime/members.js';
import type { PSErrorRecord } from '../runtime/values.js';
import { wrapLines } from './text.js';

/** The error view's text before line wrapping (embedded "\n"). */
export function errorViewText(r: PSErrorRecord, bufferWidth: number): string {
  const fqid = r.fullyQualifiedErrorId;
  let prefix = '';
  const inv = r.invocation;
  if (fqid !== 'NativeCommandErrorMessage' && fqid !== 'NativeCommandError') {
    if (inv !== undefined && inv.command !== undefined) {
      const c = inv.command;
      if (c.type === 'ExternalScript') prefix = `${c.name} : `;
      else if (c.type === 'Script') prefix = `${c.scriptText ?? ''} : `;
      else {
        const iname = inv.invocationName ?? '';
        if (/^[&.]?$/.test(iname)) {
          if (c.name !== '') prefix = `${c.name} : `;
        } else prefix = `${iname} : `;
      }
    } else if (inv !== undefined && inv.invocationName !== undefined && inv.invocationName !== '') {
      prefix = `${inv.invocationName} : `;
    }
  }
  if (fqid === 'NativeCommandErrorMessage' || fqid === 'NativeCommandError') return r.exception.message;
  let posmsg = '';
  if (inv !== undefined && !r.parseError && (inv.command !== undefined || r.category !== 'ParserError') && inv.extent !== undefined && inv.source !== undefined && inv.source.positioned(inv.extent)) {
    posmsg = positionMessage(inv.source, inv.extent);
  }
  if (posmsg !== '') posmsg = '\n' + posmsg;
  if (r.messageDetails !== undefined && r.messageDetails !== '') posmsg = ` : ${r.messageDetails}${posmsg}`;
  const indent = 4;
  const width = bufferWidth - indent - 2;
  const chunks = (s: string): string => {
    let out = '';
    for (let i = 0; i < s.length; i += width) out += ' '.repeat(indent) + s.slice(i, i + width);
    return out;
  };
  posmsg += '\n' + chunks(`+ CategoryInfo          : ${categoryMessage(r)}`);
  posmsg += '\n' + chunks(`+ FullyQualifiedErrorId : ${fqid}`);
  if (r.errorDetails === undefined || r.errorDetails === '') return `${prefix}${r.exception.message}${posmsg}\n `;
  return `${prefix}${r.errorDetails}${posmsg}`;
}

/** The lines an error record prints as (word-wrapped at the console's column count). */
export function errorViewLines(r: PSErrorRecord, bufferWidth: number): string[] {
  return wrapLines(errorViewText(r, bufferWidth), bufferWidth - 1, bufferWidth - 1);
}

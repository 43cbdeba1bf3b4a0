// The non-interactive console host of powershell.exe under WinRS: where output, host text and
// the other streams end up as bytes on stdout / stderr. Output objects go through Out-Default
// (../format); errors are rendered with the error view and written line by line to stderr, as
// plain text or, for -EncodedCommand, as CLIXML; warnings, verbose and debug lines go to stdout
// with their "WARNING: " prefixes in text mode and to the CLIXML stream otherwise.
import type { ProcessContext } from '../../../shell/backend.js';
import type { Streams } from '../runtime/command.js';
import type { PSErrorRecord, PSValue } from '../runtime/values.js';
import { errorViewLines } from '../format/error-view.js';
import { OutDefault } from '../format/out-default.js';
import { wrapLines } from '../format/text.js';
import { CLIXML_HEADER, clixmlString, OBJS_CLOSE, OBJS_OPEN } from './clixml.js';

export interface ConsoleHostOptions {
  /** Error, warning, verbose and debug records as CLIXML on stderr (-EncodedCommand). */
  readonly errorsAsClixml: boolean;
  /** The console buffer width (80 under WinRS). */
  readonly bufferWidth: number;
}

export class ConsoleHost {
  private readonly od: OutDefault;
  private clixmlOpen = false;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly opts: ConsoleHostOptions,
  ) {
    this.od = new OutDefault({ columns: opts.bufferWidth - 1, bufferWidth: opts.bufferWidth, now: () => ctx.clock.now() });
  }

  private async stdoutLines(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.ctx.write('stdout', lines.map((l) => l + '\r\n').join(''));
  }

  /** Pipeline output of the top-level script (Out-Default). */
  async output(v: PSValue): Promise<void> {
    await this.stdoutLines(this.od.push(v));
  }

  /** End of one top-level pipeline batch (end of the script, or of one stdin command). */
  async flushOutput(): Promise<void> {
    await this.stdoutLines(this.od.end());
  }

  private async clixml(element: string): Promise<void> {
    let s = '';
    if (!this.clixmlOpen) {
      this.clixmlOpen = true;
      s += CLIXML_HEADER + OBJS_OPEN;
    }
    await this.ctx.write('stderr', s + element);
  }

  async error(rec: PSErrorRecord): Promise<void> {
    // the pending table (if any) is written before the error, as Out-Default does for each record
    const lines = errorViewLines(rec, this.opts.bufferWidth);
    if (this.opts.errorsAsClixml) {
      await this.clixml(lines.map((l) => clixmlString('Error', l + '\r\n')).join(''));
      return;
    }
    await this.ctx.write('stderr', lines.map((l) => l + '\r\n').join(''));
  }

  private async prefixed(prefix: string, stream: 'warning' | 'verbose' | 'debug', message: string): Promise<void> {
    if (this.opts.errorsAsClixml) {
      await this.clixml(clixmlString(stream, message));
      return;
    }
    const w = this.opts.bufferWidth - 1;
    await this.stdoutLines(wrapLines(prefix + message, w, w));
  }

  /**
   * Host output (Write-Host, WhatIf, Out-Host) as the console host writes it with redirected
   * output: text as is, line ends as a bare "\n" (fx pypsrp/test_winrs_operation_timeout: "hi",
   * then "\n"), unlike object output, which ends lines with "\r\n" (test_winrs_extra_opts).
   */
  async host(text: string): Promise<void> {
    if (text === '') return;
    await this.ctx.write('stdout', text);
  }

  /** `$host.UI.WriteErrorLine(text)`: a line on stderr (an Error string in CLIXML mode). */
  async errorLine(text: string): Promise<void> {
    if (this.opts.errorsAsClixml) {
      await this.clixml(clixmlString('Error', text + '\r\n'));
      return;
    }
    await this.ctx.write('stderr', text + '\r\n');
  }

  /** Close the CLIXML document, if one was started. */
  async close(): Promise<void> {
    if (this.clixmlOpen) {
      this.clixmlOpen = false;
      await this.ctx.write('stderr', OBJS_CLOSE);
    }
  }

  streams(): Streams {
    return {
      error: (r) => this.error(r),
      warning: (m) => this.prefixed('WARNING: ', 'warning', m),
      verbose: (m) => this.prefixed('VERBOSE: ', 'verbose', m),
      debug: (m) => this.prefixed('DEBUG: ', 'debug', m),
      host: (t) => this.host(t),
      information: async () => undefined,
    };
  }
}

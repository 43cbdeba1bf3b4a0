// Source positions and PowerShell's position message ("At line:1 char:5" + the line + "~~~"),
// written after the behaviour of PositionUtilities.VerboseMessage in Windows PowerShell 5.1
// (System.Management.Automation/engine/parser/Position.cs): the line is cut to 69 characters with
// "... " / " ..." around the squiggles, tabs are expanded to four spaces.

/** The text a script came from; extents are offsets into it. */
export class ScriptSource {
  private lineStarts: number[] | undefined;
  /**
   * Text the engine wrote itself for commands a remoting client sent by name (AddCommand): only
   * the client's script elements, these [start, end) ranges, are script text with positions.
   * Elsewhere InvocationInfo has no script position (ScriptLineNumber 0, empty Line and
   * PositionMessage), as for a Command PowerShell builds without a script
   * [pwsh:SMA/engine/InvocationInfo.cs PositionMessage, ScriptPosition].
   */
  clientRanges: ReadonlyArray<readonly [number, number]> | undefined;
  constructor(
    readonly text: string,
    /** `line` for commands (-Command), a path for script files. */
    readonly file: string = 'line',
  ) {}

  private starts(): number[] {
    if (this.lineStarts === undefined) {
      const s = [0];
      const t = this.text;
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c === 13) {
          if (t.charCodeAt(i + 1) === 10) i++;
          s.push(i + 1);
        } else if (c === 10) {
          s.push(i + 1);
        }
      }
      this.lineStarts = s;
    }
    return this.lineStarts;
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const s = this.starts();
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    // Inside a client's script element (its text starts on a line of its own): lines count from it.
    const range = this.clientRanges?.find(([a, b]) => offset >= a && offset <= b);
    const shift = range === undefined ? 0 : this.rawLine(range[0]) - 1;
    return { line: lo + 1 - shift, column: offset - (s[lo] ?? 0) + 1 };
  }

  private rawLine(offset: number): number {
    const s = this.starts();
    let n = 0;
    while (n + 1 < s.length && (s[n + 1] ?? 0) <= offset) n++;
    return n + 1;
  }

  /** The text of the line holding `offset`, without its line ending. */
  lineTextAt(offset: number): string {
    return this.lineText(this.rawLine(offset));
  }

  /** Does `extent` have a script position (false: inside text the engine built, see clientRanges)? */
  positioned(extent: Extent): boolean {
    const r = this.clientRanges;
    return r === undefined || r.some(([s, e]) => extent.start >= s && extent.end <= e);
  }

  /** The text of a 1-based line, without its line ending. */
  lineText(line: number): string {
    const s = this.starts();
    const start = s[line - 1] ?? this.text.length;
    let end = s[line] ?? this.text.length;
    const t = this.text;
    while (end > start && (t[end - 1] === '\n' || t[end - 1] === '\r')) end--;
    return t.slice(start, end);
  }
}

/** A span of a script: [start, end) offsets. */
export interface Extent {
  readonly start: number;
  readonly end: number;
}

export function span(a: Extent, b: Extent): Extent {
  return { start: a.start, end: b.end };
}

/** A zero-length extent just after `e` (the parser's `After(extent)`). */
export function after(e: Extent): Extent {
  return { start: e.end, end: e.end };
}

/** `At line:1 char:5` + the source line + the squiggles, lines joined with "\n". */
export function positionMessage(source: ScriptSource, extent: Extent): string {
  const startPos = source.position(extent.start);
  const endPos = source.position(extent.end);
  let sourceLine = source.lineTextAt(extent.start).replace(/\s+$/, '');
  let message = '';
  if (sourceLine.length > 0) {
    let spacesBeforeError = startPos.column - 1;
    let errorLength = startPos.line === endPos.line ? endPos.column - startPos.column : sourceLine.length - startPos.column + 1;
    if (spacesBeforeError > sourceLine.length) spacesBeforeError = sourceLine.length;
    if (errorLength < 0) errorLength = 0;
    if (sourceLine.includes('\t')) {
      const beforeError = sourceLine.slice(0, spacesBeforeError).replace(/\t/g, '    ');
      const error = sourceLine.slice(spacesBeforeError, spacesBeforeError + errorLength).replace(/\t/g, '    ');
      const rest = sourceLine.slice(spacesBeforeError + errorLength).replace(/\t/g, '    ');
      spacesBeforeError = beforeError.length;
      errorLength = error.length;
      sourceLine = beforeError + error + rest;
    }
    const maxLineLength = 69;
    let needsPrefixDots = false;
    let needsSuffixDots = false;
    const lineLength = sourceLine.length;
    if (lineLength > maxLineLength) {
      const totalPrefix = spacesBeforeError;
      let prefix = Math.min(totalPrefix, 12);
      const totalSuffix = lineLength - errorLength - spacesBeforeError;
      let suffix = Math.min(totalSuffix, 8);
      let candidateLength = prefix + errorLength + suffix;
      if (candidateLength >= maxLineLength) {
        if (prefix + errorLength >= maxLineLength) errorLength = maxLineLength - prefix;
        needsSuffixDots = true;
      } else {
        const prefixAvailable = totalPrefix - prefix;
        if (prefixAvailable > 0) {
          prefix += Math.min(prefixAvailable, maxLineLength - candidateLength);
          candidateLength = prefix + errorLength + suffix;
        }
        if (candidateLength < maxLineLength && totalSuffix > 0) {
          suffix += Math.min(totalSuffix, maxLineLength - candidateLength);
        }
        needsSuffixDots = suffix < totalSuffix;
      }
      needsPrefixDots = prefix < totalPrefix;
      const startIndex = Math.max(spacesBeforeError - prefix, 0);
      sourceLine = sourceLine.substr(startIndex, maxLineLength);
      spacesBeforeError = Math.min(spacesBeforeError, prefix);
      errorLength = Math.min(errorLength, maxLineLength - spacesBeforeError);
    }
    let sb = '';
    if (needsPrefixDots) sb += '... ';
    sb += sourceLine;
    if (needsSuffixDots) sb += ' ...';
    sb += '\r\n';
    sb += '+ ';
    sb += ' '.repeat(spacesBeforeError + (needsPrefixDots ? 4 : 0));
    sb += '~'.repeat(errorLength > 0 ? errorLength : 1);
    message = sb;
  }
  return `At ${source.file}:${startPos.line} char:${startPos.column}\n+ ${message}`;
}

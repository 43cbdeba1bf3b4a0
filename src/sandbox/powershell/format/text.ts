// Line breaking as Windows PowerShell 5.1's formatter does it (StringManipulationHelper in
// FormatAndOutput/common/ComplexWriter.cs): words keep their trailing delimiter, a word longer
// than a line is cut character by character, embedded newlines start new lines.

/** Display width of a string in console cells (East Asian wide characters take two). */
export function cellLength(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    n += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ? 2 : 1;
  }
  return n;
}

/** Split on "\n" after removing every "\r". */
export function splitLines(s: string): string[] {
  return s.replace(/\r/g, '').split('\n');
}

/** First line with "..." when the value has more lines (table cells). */
export function truncateAtNewLine(s: string): string {
  const i = s.search(/[\r\n]/);
  return i < 0 ? s : s.slice(0, i) + '...';
}

interface Word {
  word: string;
  delim: string;
}

function* words(s: string): Generator<Word> {
  let sb = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\u00ad') {
      yield { word: sb, delim: c };
      sb = '';
    } else if (c === '\u2011' || c === '\u00a0') {
      yield { word: sb, delim: '' };
      sb = '';
    } else sb += c;
  }
  yield { word: sb, delim: '' };
}

/** GenerateLinesWithWordWrap: lines of at most firstLineLen / followingLinesLen cells. */
export function wrapLines(val: string, firstLineLen: number, followingLinesLen: number): string[] {
  const out: string[] = [];
  if (val === '') {
    out.push(val);
    return out;
  }
  for (const line of splitLines(val)) {
    if (cellLength(line) <= firstLineLen) {
      out.push(line);
      continue;
    }
    let spacesLeft = firstLineLen;
    let lineWidth = firstLineLen;
    let firstLine = true;
    let single = '';
    for (const w of words(line)) {
      let wordToAdd = w.word;
      if (w.delim === '\u00ad') {
        if (cellLength(wordToAdd) + 1 === spacesLeft) wordToAdd += '-';
      } else if (w.delim !== '') wordToAdd += w.delim;
      const wordWidth = cellLength(wordToAdd);
      if (lineWidth === 0) {
        if (firstLine) {
          firstLine = false;
          lineWidth = followingLinesLen;
        }
        if (lineWidth === 0) break;
        spacesLeft = lineWidth;
      }
      if (wordWidth > lineWidth) {
        for (const ch of wordToAdd) {
          let charToAdd = ch;
          let charWidth = cellLength(ch);
          if (charWidth > lineWidth) {
            charToAdd = '?';
            charWidth = 1;
          }
          if (charWidth > spacesLeft) {
            out.push(single);
            single = charToAdd;
            if (firstLine) {
              firstLine = false;
              lineWidth = followingLinesLen;
            }
            spacesLeft = lineWidth - charWidth;
          } else {
            single += charToAdd;
            spacesLeft -= charWidth;
          }
        }
      } else if (wordWidth > spacesLeft) {
        out.push(single);
        single = wordToAdd;
        if (firstLine) {
          firstLine = false;
          lineWidth = followingLinesLen;
        }
        spacesLeft = lineWidth - wordWidth;
      } else {
        single += wordToAdd;
        spacesLeft -= wordWidth;
      }
    }
    out.push(single);
  }
  return out;
}

/** Cut to at most `width` cells from the start. */
export function headCells(s: string, width: number): string {
  let n = 0;
  let out = '';
  for (const ch of s) {
    const w = cellLength(ch);
    if (n + w > width) break;
    out += ch;
    n += w;
  }
  return out;
}

/** Cut to at most `width` cells from the end. */
export function tailCells(s: string, width: number): string {
  const chars = [...s];
  let n = 0;
  let out = '';
  for (let i = chars.length - 1; i >= 0; i--) {
    const ch = chars[i] ?? '';
    const w = cellLength(ch);
    if (n + w > width) break;
    out = ch + out;
    n += w;
  }
  return out;
}

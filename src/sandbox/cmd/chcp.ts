// chcp.com: shows or "sets" the console code page. Under WinRS the console's code page is the
// shell's (the WinRS codepage option, 437 unless the client asks otherwise); a new page is
// accepted and reported as Windows does, for the chcp process only: output encoding of the
// shell stays the one WinRS negotiated (Ansible's bootstrap runs `chcp.com 65001 > $null`).
import { splitArgv } from './argv.js';
import type { CmdProgram } from './types.js';

/** Code pages Windows Server installs (chcp refuses others with "Invalid code page"). */
const VALID = new Set([
  37, 437, 500, 708, 720, 737, 775, 850, 852, 855, 857, 858, 860, 861, 862, 863, 864, 865, 866, 869, 874, 875, 932, 936, 949, 950, 1026, 1047, 1140, 1141, 1142, 1143, 1144, 1145,
  1146, 1147, 1148, 1149, 1200, 1201, 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258, 1361, 10000, 10001, 10002, 10003, 10004, 10005, 10006, 10007, 10008, 10010, 10017, 10021,
  10029, 10079, 10081, 10082, 12000, 12001, 20000, 20001, 20002, 20003, 20004, 20005, 20105, 20106, 20107, 20108, 20127, 20261, 20269, 20273, 20277, 20278, 20280, 20284, 20285, 20290,
  20297, 20420, 20423, 20424, 20833, 20838, 20866, 20871, 20880, 20905, 20924, 20932, 20936, 20949, 21025, 21866, 28591, 28592, 28593, 28594, 28595, 28596, 28597, 28598, 28599, 28603,
  28605, 29001, 38598, 50220, 50221, 50222, 50225, 50227, 51932, 51936, 51949, 52936, 54936, 57002, 57003, 57004, 57005, 57006, 57007, 57008, 57009, 57010, 57011, 65000, 65001,
]);

export const chcp: CmdProgram = async (inv) => {
  const args = splitArgv(inv.args);
  const out = (s: string) => inv.ctx.write('stdout', s);
  if (args.length === 0) {
    await out(`Active code page: ${inv.ctx.spec.codepage}\r\n`);
    return 0;
  }
  const a = args[0] ?? '';
  if (a === '/?') {
    await out('Displays or sets the active code page number.\r\n\r\nCHCP [nnn]\r\n\r\n  nnn   Specifies a code page number.\r\n\r\nType CHCP without a parameter to display the active code page number.\r\n\r\n');
    return 0;
  }
  if (args.length > 1 || !/^\d+$/.test(a)) {
    await inv.ctx.write('stderr', `Parameter format not correct - ${args.length > 1 ? (args[1] ?? '') : a}\r\n`);
    return 1;
  }
  const page = Number(a);
  if (!VALID.has(page)) {
    await inv.ctx.write('stderr', 'Invalid code page\r\n');
    return 1;
  }
  await out(`Active code page: ${page}\r\n`);
  return 0;
};

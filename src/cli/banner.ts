// The few lines printed at start: who we pretend to be, where we listen, who can log in, and a
// client snippet that works against it as started.
import type { Emulator } from '../emulator.js';
import { DEFAULT_LAB_PASSWORDS } from '../config/defaults.js';

export const DEV_CERT_THUMBPRINT = 'C913BA3A5649BDE9F0CBDFE24897AA23315F89F6';

export function banner(emu: Emulator, source: string): string {
  const c = emu.config;
  const auth = c.winrm.Service.Auth;
  const lines: string[] = [];
  lines.push(`winrm-emulator: emulating ${emu.host.computerName} (${c.os.productName}, OS ${c.os.version}); config: ${source}`);
  lines.push('Listeners:');
  for (const l of emu.listeners) {
    lines.push(`  ${l.transport.padEnd(5)} ${l.url}${l.thumbprint ? `  CertificateThumbprint ${l.thumbprint}` : ''}`);
    if (l.thumbprint === DEV_CERT_THUMBPRINT) {
      lines.push('  !! WARNING: this HTTPS listener uses the bundled DEVELOPMENT certificate (certs/dev-win-emu01.pem);');
      lines.push('  !! its private key is public. Make your own with `winrm-emulator certs new --dns <host>`.');
    }
  }
  const notes: string[] = [];
  if (auth.Basic) {
    notes.push(`Basic on (Windows' own default is off)${c.winrm.Service.AllowUnencrypted ? '' : '; refused over HTTP while AllowUnencrypted is false, as on Windows'}`);
  }
  const kerberos = c.kerberos.keytab !== '';
  if (auth.Negotiate) notes.push(`Negotiate (NTLM${kerberos ? ' and Kerberos' : ''}, with message encryption over HTTP)`);
  if (auth.Kerberos) notes.push(kerberos ? `Kerberos (realm ${c.kerberos.realm})` : 'Kerberos on in config but not offered: no kerberos.keytab (like a Windows host outside a domain)');
  if (auth.Certificate) notes.push(`client certificates (${c.winrm.Service.CertMapping.length} CertMapping entries)`);
  if (auth.CredSSP) notes.push('CredSSP on in config but not emulated (refused as when disabled)');
  lines.push(`Auth: ${notes.join('; ') || 'nothing enabled'}`);
  lines.push(`Users${emu.usesDefaultPasswords ? ' (documented lab passwords: change them before exposing this host)' : ''}:`);
  const defaults = new Set(Object.values(DEFAULT_LAB_PASSWORDS));
  let example: { name: string; password: string } | undefined;
  for (const u of c.users) {
    const pw = u.password !== undefined && defaults.has(u.password) ? u.password : u.password !== undefined ? '(password from config)' : '(NT hash from config)';
    if (!example && u.password !== undefined && defaults.has(u.password) && u.groups.includes('Administrators')) example = { name: u.name, password: u.password };
    lines.push(`  ${u.name.padEnd(14)} ${pw.padEnd(24)} [${u.groups.join(', ')}]`);
  }
  const https = emu.listeners.find((l) => l.transport === 'HTTPS');
  const http = emu.listeners.find((l) => l.transport === 'HTTP');
  const target = https ?? (c.winrm.Service.AllowUnencrypted ? http : undefined);
  if (auth.Basic && target) {
    const who = example ?? { name: c.users[0]?.name ?? 'Administrator', password: '<password>' };
    lines.push('Try it with pywinrm (Debian: apt-get install python3-winrm):');
    lines.push(
      `  env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE /usr/bin/python3 -c "import winrm; s = winrm.Session('${target.url.replace('localhost', '127.0.0.1')}', auth=('${who.name}', '${who.password}'), transport='basic', server_cert_validation='ignore'); r = s.run_cmd('hostname'); print(r.status_code, r.std_out, r.std_err)"`,
    );
  }
  return lines.join('\n');
}

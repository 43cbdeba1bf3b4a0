// The command line: `winrm-emulator [start] [--config FILE]`, `winrm-emulator certs …`.
import { parseArgs } from 'node:util';
import { createEmulator, StartupError } from './emulator.js';
import { loadConfig, ConfigError } from './config/load.js';
import { banner } from './cli/banner.js';

const USAGE = `Usage:
  winrm-emulator [start] [--config FILE] [--log-level LEVEL] [--allow-default-passwords-on-network]
      Start the emulated WinRM service. Without --config (or WINRM_EMU_CONFIG) it runs the embedded
      default lab host on 127.0.0.1:5985 (HTTP) and 127.0.0.1:5986 (HTTPS).
  winrm-emulator certs new --dns NAME [--ip ADDR] [--store DIR]
      Make a self-signed server certificate (as New-SelfSignedCertificate does) and print its thumbprint.
  winrm-emulator certs --help
  winrm-emulator winrm get winrm/config [-r:https://127.0.0.1:5986/wsman -u:USER -p:PASS -a:basic -skipCAcheck]
      winrm.cmd's get/set/enumerate/create/delete/identify/invoke against a running emulator or any
      WinRM host; with --config FILE, read a configuration file offline.
`;

async function start(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      'log-level': { type: 'string' },
      'allow-default-passwords-on-network': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const overrides: Record<string, unknown> = {};
  if (values['log-level']) overrides.logging = { level: values['log-level'] };
  if (values['allow-default-passwords-on-network']) overrides.server = { allowDefaultPasswordsOnNetwork: true };
  const loaded = loadConfig({ ...(values.config !== undefined ? { file: values.config } : {}), env: process.env, overrides: overrides as never });
  const emu = await createEmulator({ config: loaded });
  process.stdout.write(banner(emu, loaded.file ?? 'embedded default (config/default.yaml)') + '\n');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    emu.logger.info({ signal }, `received ${signal}, closing listeners`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void emu.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return -1; // keep running
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  // Loaded when asked for, so `start` does not pay for them (the certificate builder pulls in node-forge).
  if (first === 'certs') return (await import('./cli/certs.js')).runCertsCommand(rest, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
  if (first === 'winrm') return (await import('./cli/winrm.js')).runWinrmCommand(rest, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
  if (first === 'help' || first === '--help' || first === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === 'start') return start(rest);
  if (first !== undefined && !first.startsWith('-')) {
    process.stderr.write(`unknown command '${first}'\n\n${USAGE}`);
    return 2;
  }
  return start(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    if (e instanceof ConfigError || e instanceof StartupError) {
      process.stderr.write(`winrm-emulator: ${e.message}\n`);
      process.exit(2);
    }
    if (e instanceof TypeError && String((e as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`winrm-emulator: ${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`winrm-emulator: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

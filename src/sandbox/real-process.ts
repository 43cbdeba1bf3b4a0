// The opt-in real-process backend (off unless sandbox.realProcess.enabled): runs a configured
// program on this machine for matching commands, confined with bubblewrap — read-only system,
// private /tmp, no network (all namespaces unshared), nobody's uid, scrubbed environment — and
// killed after a time limit or an output limit. This is the one place the sandbox starts host
// processes; everything else is emulated.
import { spawn, spawnSync } from 'node:child_process';
import type { RealProcessConfig } from '../config/types.js';
import type { CommandBackend, Program } from '../shell/backend.js';
import { candidateTexts, compileMatch } from './rules.js';

export interface Confinement {
  readonly confined: boolean;
  readonly warning: string;
}

/** Whether bubblewrap works here; the emulator refuses to start without it unless allowed. */
export function checkConfinement(cfg: RealProcessConfig): Confinement {
  const probe = spawnSync(cfg.bubblewrap, ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '/bin/true'], { stdio: 'ignore', timeout: 10_000 });
  if (probe.status === 0) {
    return { confined: true, warning: `sandbox.realProcess is ENABLED: matching commands run on this machine as '${cfg.argv.join(' ')} <command line>', confined by ${cfg.bubblewrap}.` };
  }
  return {
    confined: false,
    warning: `sandbox.realProcess is ENABLED but bubblewrap ('${cfg.bubblewrap}') does not work here (apt-get install bubblewrap); ${cfg.allowUnconfined ? 'commands run UNCONFINED because allowUnconfined is true' : 'refusing to start (set allowUnconfined: true to run unconfined)'}.`,
  };
}

function bwrapArgs(cfg: RealProcessConfig, line: string): string[] {
  return [
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    '--unshare-all',
    '--unshare-user', '--uid', '65534', '--gid', '65534',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv', 'PATH', '/usr/local/bin:/usr/bin:/bin',
    '--setenv', 'HOME', '/tmp',
    '--setenv', 'LANG', 'C.UTF-8',
    '--chdir', '/tmp',
    ...cfg.argv,
    line,
  ];
}

export function createRealProcessBackend(cfg: RealProcessConfig, confinement: Confinement, fallback: CommandBackend): CommandBackend {
  const test = compileMatch(cfg.match);
  return {
    resolve(spec) {
      if (!cfg.enabled || !candidateTexts(spec).some(test)) return fallback.resolve(spec);
      const line = candidateTexts(spec)[0]!;
      const program = (ctx: Parameters<Program>[0]) =>
        new Promise<number>((resolve) => {
          const [cmd, ...args] = confinement.confined ? [cfg.bubblewrap, ...bwrapArgs(cfg, line)] : [...cfg.argv, line];
          const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: confinement.confined ? {} : { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' } });
          let written = 0;
          let settled = false;
          const finish = (code: number) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(code);
          };
          const kill = (why: string) => {
            child.kill('SIGKILL');
            void ctx.write('stderr', `winrm-emulator: real process ${why}.\r\n`).catch(() => undefined);
          };
          const timer = setTimeout(() => kill(`killed after ${cfg.timeoutMs} ms`), cfg.timeoutMs);
          const pump = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
            written += chunk.length;
            if (written > cfg.maxOutputBytes) return kill(`killed after ${cfg.maxOutputBytes} bytes of output`);
            // Back-pressure: pause the pipe while the shell's output buffer is full.
            child[stream].pause();
            ctx.write(stream, chunk).then(
              () => child[stream].resume(),
              () => child.kill('SIGKILL'),
            );
          };
          child.stdout.on('data', pump('stdout'));
          child.stderr.on('data', pump('stderr'));
          child.on('error', (e) => {
            void ctx.write('stderr', `winrm-emulator: cannot start the real process: ${e.message}\r\n`).finally(() => finish(1));
          });
          child.on('close', (code, signal) => finish(code ?? (signal ? 137 : 1)));
          ctx.abort.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
          void (async () => {
            for (let s = await ctx.readStdin().catch(() => null); s !== null; s = await ctx.readStdin().catch(() => null)) child.stdin.write(s);
            child.stdin.end();
          })();
        });
      return Object.assign(program, { backend: confinement.confined ? 'real-process (bubblewrap)' : 'real-process (UNCONFINED)' });
    },
  };
}

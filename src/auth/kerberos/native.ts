// The glue to MIT GSSAPI: the npm `kerberos` package (mongodb-js/kerberos 7.0.0, compiled against
// Debian's libkrb5-dev). Its server object does one gss_accept_sec_context with default acceptor
// credentials, so every key in the keytab named by KRB5_KTNAME is accepted (auth.md §4.1). The
// keytab and krb5.conf reach MIT through the process environment: one keytab per process.
import { createRequire } from 'node:module';
import { GssError, type GssAcceptResult, type GssAcceptor } from './acceptor.js';

interface NativeServer {
  step(challenge: string): Promise<unknown>;
  readonly username: string | undefined;
  readonly targetName: string | undefined;
  readonly response: string | undefined;
}

interface NativeKerberos {
  initializeServer(service: string): Promise<NativeServer>;
}

let native: NativeKerberos | undefined;

function load(): NativeKerberos {
  if (native) return native;
  try {
    native = createRequire(import.meta.url)('kerberos') as NativeKerberos;
  } catch (e) {
    throw new Error(
      `the npm package 'kerberos' could not be loaded (${(e as Error).message}). It is compiled at install time against MIT Kerberos: ` +
        '`apt-get install libkrb5-dev` then `npm rebuild kerberos`.',
      { cause: e },
    );
  }
  return native;
}

export interface NativeGssOptions {
  /** Absolute path of the service keytab. */
  readonly keytab: string;
  /** krb5.conf for MIT; empty leaves KRB5_CONFIG as it is. */
  readonly krb5Config: string;
}

/** An acceptor over MIT GSSAPI; throws at creation when the native module is missing. */
export function createNativeGssAcceptor(options: NativeGssOptions): GssAcceptor {
  const k = load();
  // MIT reads these when it resolves the default keytab and profile, at each accept.
  process.env.KRB5_KTNAME = `FILE:${options.keytab}`;
  if (options.krb5Config !== '') process.env.KRB5_CONFIG = options.krb5Config;
  return {
    async accept(token: Buffer): Promise<GssAcceptResult> {
      let server: NativeServer;
      try {
        server = await k.initializeServer('');
        await server.step(token.toString('base64'));
      } catch (e) {
        throw new GssError((e as Error).message.replace(/\s+/g, ' ').trim());
      }
      return {
        output: server.response ? Buffer.from(server.response, 'base64') : undefined,
        clientName: server.username ?? '',
        targetName: server.targetName,
      };
    },
  };
}

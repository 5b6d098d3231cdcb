import type { Command } from 'commander';
import type { CommandState } from '../output.js';
import { openStore } from '../store.js';

interface ServeCliOptions {
  host: string;
  port: string;
  headersTimeout?: string;
  maxConnections?: string;
  connectionsPerAddress?: string;
}

export function registerServe(program: Command, _state: CommandState): void {
  program
    .command('serve')
    .description('the dashboard: a read-only JSON API over the store and its web pages')
    .option('--host <address>', 'address to listen on (anything but loopback exposes the store)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free one)', '8470')
    .option('--headers-timeout <s>', 'seconds a client has to send its request head (default 10)')
    .option('--max-connections <n>', 'connections open at once (default 256)')
    .option(
      '--connections-per-address <n>',
      'connections open at once from one address; 0: no limit (default 32)',
    )
    .addHelpText(
      'after',
      '\nThe store: --db PATH or postgres://user@host/db (before or after "serve"), else $KABI_DB, else ~/.local/share/kabi-tracker/kabi.db.',
    )
    .action(async (o: ServeCliOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      if (!/^\d{1,5}$/.test(o.port) || Number(o.port) > 65535)
        throw new lib.UsageError(`--port ${o.port}: expected 0..65535`);
      const limits = {
        headersTimeoutMs: count(lib, '--headers-timeout', o.headersTimeout, 1000),
        maxConnections: count(lib, '--max-connections', o.maxConnections),
        connectionsPerAddress: count(lib, '--connections-per-address', o.connectionsPerAddress),
      };
      const store = await openStore(cmd);
      const { startServer } = await import('../../serve/index.js');
      const server = await startServer({ store, host: o.host, port: Number(o.port), limits });
      process.stdout.write(`kabi serve: ${server.url} (store ${store.path}, read-only; Ctrl-C stops)\n`);
      if (!['127.0.0.1', '::1', 'localhost'].includes(o.host))
        process.stderr.write(
          `kabi: warning: listening on ${o.host}: whoever reaches it can read the store\n`,
        );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      await store.close();
    });
}

/** A whole number given on the command line (times `scale`), or undefined when not given. */
function count(lib: typeof import('../../index.js'), flag: string, value: string | undefined, scale = 1) {
  if (value === undefined) return undefined;
  if (!/^\d{1,7}$/.test(value)) throw new lib.UsageError(`${flag} ${value}: expected a whole number`);
  return Number(value) * scale;
}

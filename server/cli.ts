// `porthole <subcommand>`: the command line. `npm run --silent porthole -- serve` and `npm start` land here.
// Usage errors exit 2 with a message that names the problem; runtime failures exit 1.

import { SERVE_USAGE, UsageError, parseServeArgs } from './backend/serve-args.ts';
import { startPorthole } from './backend/server.ts';

const USAGE = `Porthole: pod shells and a policy playground for Kubernetes, in the browser.

Usage:
  porthole <command> [flags]

Commands:
  serve       serve the web app and relay to the clusters (the embedded local cluster by default)
  cel         evaluate one CEL expression as kube-apiserver would (--input FILE)
  admission   run one request through admission policies as kube-apiserver would (--input FILE)
  authn       load, validate or authenticate against an AuthenticationConfiguration (--input FILE)
  keys        rotate or list the token issuer's signing keys (--key-file FILE)

Run 'porthole <command> --help' for a command's flags.
`;

async function serve(argv: readonly string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args.help) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  // Handlers first: a signal while the local cluster is still starting must still close it.
  let stopSignal: NodeJS.Signals | undefined;
  let onStop: (() => void) | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopSignal) {
      process.stderr.write(`porthole: ${signal} again, exiting at once\n`);
      process.exit(1);
    }
    stopSignal = signal;
    process.stderr.write(`porthole: ${signal}, shutting down\n`);
    onStop?.();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const porthole = await startPorthole(args.options);
  if (!stopSignal) {
    // The token rides in the URL fragment: it never reaches a server log or a Referer.
    process.stdout.write(`Porthole is running at ${porthole.loginUrl}\n`);
    await new Promise<void>((resolve) => (onStop = resolve));
  }
  try {
    await porthole.close();
    return 0;
  } catch (error) {
    process.stderr.write(`porthole: error while shutting down: ${String(error)}\n`);
    return 1;
  }
}

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  serve,
  // Loaded on demand: `serve` does not need the CEL engine, and `cel` needs nothing of the server.
  cel: async (argv) => (await import('./commands/cel.ts')).celCommand([...argv]),
  admission: async (argv) => (await import('./commands/admission.ts')).admissionCommand([...argv]),
  authn: async (argv) => (await import('./commands/authn.ts')).authnCommand([...argv]),
  keys: async (argv) => (await import('./commands/keys.ts')).keysCommand(argv),
};

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const run = COMMANDS[command];
  try {
    if (!run) {
      throw new UsageError(
        command.startsWith('-')
          ? `unknown flag: ${command} (flags go after the command)`
          : `unknown command "${command}"`,
      );
    }
    return await run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      const where = run ? `porthole ${command}` : 'porthole';
      process.stderr.write(`Error: ${error.message}\nRun '${where} --help' for usage.\n`);
      return 2;
    }
    process.stderr.write(`porthole ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exit(await main(process.argv.slice(2)));

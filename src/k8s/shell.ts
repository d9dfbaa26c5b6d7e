// Shell discovery in one round trip: ask /bin/sh to replace itself with bash when the image has it, else with
// sh (Rancher's approach, exec-protocol.md §11.7) — instead of trying bash, failing, and trying sh again.
import type { ExecResult } from './types.ts';

export const SHELL_DISCOVERY_COMMAND: readonly string[] = [
  '/bin/sh',
  '-c',
  'command -v bash >/dev/null 2>&1 && exec bash || exec sh',
];

/**
 * True when the runtime could not find the program to exec: an InternalError whose message carries runc's
 * `executable file not found in $PATH` (a bare name) or `no such file or directory` (an absolute path such as
 * `/bin/sh` in a distroless image). Any other failure is a real error to show.
 */
export function isExecutableNotFound(result: ExecResult | null): boolean {
  return (
    result !== null &&
    result.kind === 'failure' &&
    result.reason === 'InternalError' &&
    /executable file not found|no such file or directory/.test(result.message)
  );
}

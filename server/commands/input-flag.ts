// The one flag the request commands (cel, authn, admission) take: `--input FILE` (or `--input=FILE`), or `--help`.

export type InputFlag = { file: string } | { help: true } | { error: string };

export function parseInputFlag(argv: readonly string[], usage: string): InputFlag {
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--input' && i + 1 < argv.length) file = argv[++i];
    else if (a.startsWith('--input=')) file = a.slice('--input='.length);
    else if (a === '--help' || a === '-h') return { help: true };
    else return { error: `unknown argument "${a}"; ${usage}` };
  }
  return file ? { file } : { error: usage };
}

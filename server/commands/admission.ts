// `porthole admission --input FILE`: one admission request through MutatingAdmissionPolicy and
// ValidatingAdmissionPolicy as kube-apiserver would run it, printing one JSON object: `{"object": ...}`,
// `{"error": {"message", "status"}}`, `{"allowed": true, "warnings", "auditAnnotations"}` or `{"createError"}`.
// FILE (JSON or YAML) has the shape of one vector of admission-vectors.json (request, policies, bindings, params,
// object, oldObject, namespaceObject, authorizer, customResourceDefinitions, defaulting, version, level).
// Exit code: 0 admitted, 1 rejected (or a policy that would not be created), 2 bad usage or unreadable input
// (then `{"error": {"message"}}` without a status).

import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { loadOpenApi, type KubernetesVersion } from '../../src/k8s/openapi/index.ts';
import { admit } from '../../src/policy/admission/admit.ts';
import { admissionOutcome, readAdmissionInput } from '../../src/policy/admission/input.ts';
import { parseInputFlag } from './input-flag.ts';

const USAGE =
  'usage: porthole admission --input FILE   (FILE: JSON or YAML {request, policies, bindings, params, object, oldObject, namespaceObject, version, level})';

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
const inputError = (message: string): number => {
  print({ error: { message } });
  return 2;
};

/** The parsed document of FILE's text, or why it cannot be read (with YAML's line and column). */
export function parseInputText(text: string): { doc: unknown } | { error: string } {
  if (text.trim() === '') return { error: 'the file is empty' };
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first) return { error: first.message.split('\n')[0]! };
  try {
    // maxAliasCount bounds alias expansion, so a self-multiplying alias "bomb" is an error, not a hang.
    return { doc: doc.toJS({ maxAliasCount: 100 }) as unknown };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export async function admissionCommand(argv: string[]): Promise<number> {
  const flag = parseInputFlag(argv, USAGE);
  if ('help' in flag) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ('error' in flag) return inputError(flag.error);
  const file = flag.file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return inputError(`reading ${file}: ${(e as Error).message}`);
  }
  const parsed = parseInputText(text);
  if ('error' in parsed) return inputError(`reading ${file}: ${parsed.error}`);
  const read = readAdmissionInput(parsed.doc);
  if ('error' in read) return inputError(`${file}: ${read.error}`);
  await loadOpenApi((read.input.version ?? '1.34') as KubernetesVersion);
  const outcome = admissionOutcome(read.input, admit(read.input));
  print(outcome);
  return 'error' in outcome || 'createError' in outcome ? 1 : 0;
}

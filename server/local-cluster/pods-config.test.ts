// The pods file: the bundled default, and precise errors (file, line, field path) for every mistake found.
import { describe, expect, it } from 'vitest';
import { loadPodsConfig, parsePodsConfig, PodsConfigError } from './pods-config.ts';

describe('the bundled pods.yaml', () => {
  it('has the shell, ticker and multi pods and a pod in team-a', async () => {
    const config = await loadPodsConfig();
    expect(config.namespaces).toEqual(['default', 'team-a']);
    expect(config.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual([
      'default/shell',
      'default/ticker',
      'default/multi',
      'team-a/worker',
    ]);
    const multi = config.pods.find((p) => p.name === 'multi')!;
    expect(multi.annotations).toEqual({ 'kubectl.kubernetes.io/default-container': 'app' });
    expect(multi.initContainers.map((c) => c.name)).toEqual(['init']);
    expect(multi.containers.map((c) => c.name)).toEqual(['app', 'sidecar']);
    for (const name of ['shell', 'ticker']) {
      expect(config.pods.find((p) => p.name === name)!.containers[0]).toMatchObject({
        name: 'main',
        tty: true,
        stdin: true,
      });
    }
  });
});

const parse = (text: string) => () => parsePodsConfig(text, 'pods.yaml');

describe('validation', () => {
  it.each([
    ['a YAML syntax error', 'namespaces: [\n', /^pods\.yaml:2: /],
    [
      'a missing namespaces list',
      'pods: []\n',
      'pods.yaml:1: pods: unknown field "pods" (allowed: namespaces)\npods.yaml:1: namespaces: Required value',
    ],
    [
      'an invalid namespace name',
      'namespaces:\n  - name: Team_A\n',
      `pods.yaml:2: namespaces[0].name: Invalid value: "Team_A": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
    [
      'a container without a command',
      'namespaces:\n  - name: default\n    pods:\n      - name: p\n        containers:\n          - name: c\n',
      'pods.yaml:6: namespaces[0].pods[0].containers[0].command: Required value',
    ],
    [
      'a duplicate container name across init and regular containers',
      'namespaces:\n  - name: default\n    pods:\n      - name: p\n        initContainers:\n          - { name: c, command: [a] }\n        containers:\n          - { name: c, command: [b] }\n',
      'pods.yaml:8: namespaces[0].pods[0].containers[0].name: Duplicate value: "c"',
    ],
    [
      'a misspelt field and a non-boolean tty',
      'namespaces:\n  - name: default\n    pods:\n      - name: p\n        containers:\n          - name: c\n            comand: [sh]\n            command: [sh]\n            tty: yes please\n',
      'pods.yaml:7: namespaces[0].pods[0].containers[0].comand: unknown field "comand" (allowed: name, image, command, tty, stdin, env)\npods.yaml:9: namespaces[0].pods[0].containers[0].tty: Invalid value: "yes please": must be true or false',
    ],
    [
      'a pod with no containers',
      'namespaces:\n  - name: default\n    pods:\n      - name: p\n        containers: []\n',
      'pods.yaml:5: namespaces[0].pods[0].containers: Required value',
    ],
  ])('reports %s', (_name, text, expected) => {
    const run = parse(text);
    expect(run).toThrow(PodsConfigError);
    if (typeof expected === 'string') expect(run).toThrow(new PodsConfigError(expected));
    else expect(run).toThrow(expected);
  });

  it('reads a file that does not exist as a clear error', async () => {
    await expect(loadPodsConfig('/nonexistent/pods.yaml')).rejects.toThrow(
      /^cannot read pods file \/nonexistent\/pods\.yaml: ENOENT/,
    );
  });
});

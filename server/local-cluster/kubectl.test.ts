// Interop with real kubectl 1.30–1.33 against the local cluster: what a person types, with exact outputs and exit
// codes. The versions run concurrently, at most three kubectl processes at a time.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster, type StreamFault } from './index.ts';
import {
  kubectl as runKubectl,
  kubectlBinary,
  KubectlInTerminal,
  Slots,
  withoutStreamRegistrationRace,
} from './testing/kubectl.ts';

const VERSIONS = ['1.30', '1.31', '1.32', '1.33'];
const KLOG_LINE = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ /;
const SPDY_REFUSAL =
  'Error from server (Forbidden): SPDY is not supported by the Porthole local cluster: exec needs a WebSocket client offering v5.channel.k8s.io (kubectl 1.30 or newer)';
const slots = new Slots(3);
let cluster: LocalCluster;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  const missing = VERSIONS.map(kubectlBinary).filter((binary) => !existsSync(binary));
  if (missing.length > 0)
    throw new Error(`the interop tests need the real kubectl binaries; missing: ${missing.join(', ')}`);
  cluster = await startLocalCluster({ log: () => {} });
  dir = mkdtempSync(join(tmpdir(), 'porthole-kubectl-'));
  kubeconfig = join(dir, 'kubeconfig');
  await cluster.writeKubeconfig(kubeconfig);
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const kubectl = async (version: string, args: string[], input?: string) => {
  const result = await slots.run(() => runKubectl(version, kubeconfig, args, input === undefined ? {} : { input }));
  return { ...result, stderr: withoutStreamRegistrationRace(result.stderr) };
};

describe.concurrent.each(VERSIONS)('kubectl %s', (version) => {
  it('get pods prints the Table the server rendered', async () => {
    const result = await kubectl(version, ['get', 'pods']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const rows = result.stdout.trimEnd().split('\n');
    expect(rows.map((row) => row.split(/\s+/).slice(0, 4))).toEqual([
      ['NAME', 'READY', 'STATUS', 'RESTARTS'],
      ['multi', '2/2', 'Running', '0'],
      ['shell', '1/1', 'Running', '0'],
      ['ticker', '1/1', 'Running', '0'],
    ]);
    expect(rows[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    for (const row of rows.slice(1)) expect(row).toMatch(/\s\d+(s|m\d*s?)$/);
  });

  it('get pods -A and get ns', async () => {
    const pods = await kubectl(version, ['get', 'pods', '-A', '--no-headers']);
    expect(pods.code).toBe(0);
    expect(
      pods.stdout
        .trimEnd()
        .split('\n')
        .map((row) => row.split(/\s+/).slice(0, 2)),
    ).toEqual([
      ['default', 'multi'],
      ['default', 'shell'],
      ['default', 'ticker'],
      ['team-a', 'worker'],
    ]);
    const namespaces = await kubectl(version, ['get', 'ns', '--no-headers']);
    expect(
      namespaces.stdout
        .trimEnd()
        .split('\n')
        .map((row) => row.split(/\s+/).slice(0, 2)),
    ).toEqual([
      ['default', 'Active'],
      ['team-a', 'Active'],
    ]);
  });

  it('non-TTY exec: stdout, stderr and exit code 3 (default container from the annotation)', async () => {
    const result = await kubectl(version, ['exec', 'multi', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\ncommand terminated with exit code 3\n', code: 3 });
  });

  it('piped stdin ends with EOF (v5 CLOSE)', async () => {
    const result = await kubectl(version, ['exec', '-i', 'shell', '--', 'cat'], 'hi\nthere\n');
    expect(result).toEqual({ stdout: 'hi\nthere\n', stderr: '', code: 0 });
  });

  it('TTY exec in a pseudo-terminal follows a resize', async () => {
    await slots.run(async () => {
      const term = new KubectlInTerminal(version, kubeconfig, ['exec', '-it', 'shell', '--', 'sh'], {
        cols: 100,
        rows: 30,
      });
      try {
        await term.waitFor(/# $/m, 'the shell prompt');
        term.type('stty size\r');
        await term.waitFor(/^30 100\r$/m, 'stty size 30 100');
        term.resize(120, 40);
        // SIGWINCH → kubectl → resize message → pty: asynchronous, so ask until the new size shows.
        for (let i = 0; i < 50 && !/^40 120\r$/m.test(term.output); i++) {
          term.type('stty size\r');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await term.waitFor(/^40 120\r$/m, 'stty size 40 120');
        term.type('exit 3\r');
        expect(await term.exit()).toBe(3);
        expect(term.output).toContain('command terminated with exit code 3');
      } finally {
        term.kill();
      }
    });
  }, 40_000);

  it('attach to the ticker shows new lines, and detaching leaves the container running', async () => {
    const mainBefore = cluster.processes().find((p) => p.pod === 'ticker' && p.kind === 'main');
    await slots.run(async () => {
      const term = new KubectlInTerminal(version, kubeconfig, ['attach', 'ticker'], { cols: 80, rows: 24 });
      try {
        // The ticker's own terminal ends lines with \r\n; kubectl's (not in raw mode without -t) adds another \r.
        const first = await term.waitFor(/tick (\d+)\r+\n/, 'a first tick');
        const next = Number(first[1]) + 1;
        await term.waitFor(new RegExp(`tick ${next}\\r+\\n`), `tick ${next}`);
      } finally {
        term.kill();
      }
    });
    expect(cluster.processes().find((p) => p.pod === 'ticker' && p.kind === 'main')).toEqual(mainBefore);
  }, 40_000);

  it('attach -it to a shell: typing reaches the container main process', async () => {
    const marker = `attached-${version.replace('.', '')}`;
    await slots.run(async () => {
      const term = new KubectlInTerminal(version, kubeconfig, ['attach', '-it', 'shell'], { cols: 100, rows: 30 });
      try {
        await term.waitFor(/If you don't see a command prompt, try pressing enter\./, 'the attach hint');
        // A marker per version: the four versions share this one shell and see each other's output.
        term.type(`echo ${marker}-$((6*7))\r`);
        await term.waitFor(new RegExp(`^${marker}-42\\r$`, 'm'), 'the echoed answer');
      } finally {
        term.kill();
      }
    });
  }, 40_000);

  it('unknown pod: the API error text', async () => {
    const result = await kubectl(version, ['exec', 'nope', '--', 'true']);
    expect(result).toEqual({ stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n', code: 1 });
  });

  it('wrong container: the API error text', async () => {
    const result = await kubectl(version, ['exec', 'multi', '-c', 'wrong', '--', 'true']);
    expect(result).toEqual({
      stdout: '',
      stderr: 'Error from server (BadRequest): container wrong is not valid for pod multi\n',
      code: 1,
    });
  });

  it('a command that does not exist: the runtime error, exit 1', async () => {
    const result = await kubectl(version, ['exec', 'shell', '--', 'bashx']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: Internal error occurred: Internal error occurred: error executing command in container: .*exec: "bashx": executable file not found in \$PATH: unknown\n$/,
    );
  });
});

describe('against a cluster without the v5 translator (legacy mode)', () => {
  let legacy: LocalCluster;
  let legacyConfig: string;
  const lines: string[] = [];
  beforeAll(async () => {
    legacy = await startLocalCluster({ log: (l) => lines.push(l), streamingMode: 'legacy' });
    legacyConfig = join(dir, 'legacy-kubeconfig');
    await legacy.writeKubeconfig(legacyConfig);
  }, 120_000);
  afterAll(async () => {
    await legacy?.close();
  });

  it.each(VERSIONS)('kubectl %s falls back to SPDY after the 403 and gets a clear refusal', async (version) => {
    const result = await slots.run(() => runKubectl(version, legacyConfig, ['exec', 'shell', '--', 'true']));
    expect(result).toEqual({
      stdout: '',
      stderr:
        'Error from server (Forbidden): SPDY is not supported by the Porthole local cluster: exec needs a WebSocket client offering v5.channel.k8s.io (kubectl 1.30 or newer)\n',
      code: 1,
    });
    expect(lines).toContain(
      'local cluster: refused a SPDY exec upgrade (X-Stream-Protocol-Version: v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io)',
    );
  });
});

describe('kubectl against injected stream faults (the G7 matrix of exec-protocol.md)', () => {
  let faulty: LocalCluster;
  let faultyConfig: string;
  const cases: Array<[StreamFault, { stdout: string; lastError: string | null; code: number }]> = [
    [
      'abrupt-close',
      {
        stdout: 'hi\n',
        lastError:
          'error: error reading from error stream: next reader: websocket: close 1006 (abnormal closure): unexpected EOF',
        code: 1,
      },
    ],
    [
      'close-1011',
      {
        stdout: 'hi\n',
        lastError: 'error: error reading from error stream: next reader: websocket: close 1011 (internal server error)',
        code: 1,
      },
    ],
    [
      'text-frame',
      { stdout: '', lastError: 'error: error reading from error stream: unexpected message type: 1', code: 1 },
    ],
    [
      'zero-length-message',
      { stdout: '', lastError: 'error: error reading from error stream: read stream id: EOF', code: 1 },
    ],
    ['unknown-channel', { stdout: 'hi\n', lastError: null, code: 0 }],
    ['unoffered-protocol', { stdout: '', lastError: SPDY_REFUSAL, code: 1 }],
    ['refuse-403', { stdout: '', lastError: SPDY_REFUSAL, code: 1 }],
  ];

  beforeAll(async () => {
    const podsFile = join(dir, 'fault-pods.yaml');
    const pods = cases
      .map(
        ([fault]) =>
          `      - name: ${fault}\n        containers:\n          - { name: main, command: [/bin/sh, -c, 'while true; do sleep 3600; done'] }\n`,
      )
      .join('');
    writeFileSync(podsFile, `namespaces:\n  - name: default\n    pods:\n${pods}`);
    faulty = await startLocalCluster({
      podsFile,
      log: () => {},
      streamFaults: Object.fromEntries(cases.map(([fault]) => [fault, fault])),
    });
    faultyConfig = join(dir, 'faulty-kubeconfig');
    await faulty.writeKubeconfig(faultyConfig);
  }, 120_000);
  afterAll(async () => {
    await faulty?.close();
  });

  describe.concurrent.each(VERSIONS)('kubectl %s', (version) => {
    it.each(cases)('%s', async (fault, expected) => {
      const result = await slots.run(() => runKubectl(version, faultyConfig, ['exec', fault, '--', 'echo', 'hi']));
      // kubectl also logs klog lines (with timestamps) before its message: compare the message lines only.
      const lines = result.stderr.split('\n').filter((line) => line !== '' && !KLOG_LINE.test(line));
      expect({ stdout: result.stdout, lastError: lines.at(-1) ?? null, code: result.code }).toEqual(expected);
      if (fault === 'unknown-channel') expect(result.stderr).toContain('Unknown stream id 7, discarding message');
    });
  });
});

it('leaves no exec process behind', async () => {
  await expect.poll(() => cluster.processes().filter((p) => p.kind === 'exec'), { timeout: 10_000 }).toEqual([]);
});

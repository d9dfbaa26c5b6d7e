// Porthole's local cluster measured against the real kube-apiserver: the same exec/attach requests (the cases of
// exec-cases.ts) go to both, and every byte Kubernetes decides must match — the 101 head, the frames per channel,
// the channel-3 Status and the close code, and the Status of a refused upgrade. Where the text comes from the
// container runtime (a v4 exit message, a missing executable), only the Status structure is compared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../server/local-cluster/index.ts';
import { refused, rows } from './exec-cases.ts';
import {
  goAvailable,
  HARNESS_START_TIMEOUT_MS,
  mintToken,
  reportSkipped,
  useHarness,
  type Harness,
} from './harness.ts';
import { kubectl, waitUntilAllowed } from './kubectl.ts';
import { byChannel, captureExec, harnessTarget, type Capture, type Target } from './raw-websocket.ts';

reportSkipped('e2e/cluster/local-vs-real.test.ts (local cluster compared with a real kube-apiserver)');

/** The parts of a capture Kubernetes decides, with the per-connection accept key checked and then dropped. */
function comparable(capture: Capture, runtimeSpecific = false) {
  const head = capture.head.map((line) =>
    line === `Sec-WebSocket-Accept: ${capture.expectedAccept}` ? 'Sec-WebSocket-Accept: <valid>' : line,
  );
  const channels = byChannel(capture.frames).map(([channel, text]) => {
    if (channel !== 3 || !runtimeSpecific) return [channel, text];
    // Keep the Status structure, not the runtime's wording.
    const status = JSON.parse(text) as {
      message?: string;
      details?: { causes?: Array<{ reason?: string; message?: string }> };
    };
    delete status.message;
    for (const cause of status.details?.causes ?? []) if (cause.reason !== 'ExitCode') delete cause.message;
    return [channel, JSON.stringify(status)];
  });
  return { head, channels, closeCode: capture.closeCode };
}

describe.runIf(goAvailable)('local cluster vs the real kube-apiserver: exec and attach', () => {
  let harness: Harness;
  let local: LocalCluster;
  let real: Target;
  let localTarget: Target;

  beforeAll(async () => {
    harness = await useHarness();
    real = harnessTarget(harness.ready);
    local = await startLocalCluster({ log: () => {} });
    localTarget = { server: local.server, ca: local.caData, token: local.token };
  }, HARNESS_START_TIMEOUT_MS);

  afterAll(async () => {
    await local?.close();
    await harness?.release();
  }, 60_000);

  it.each(rows)('$name', async (row) => {
    const path = `/api/v1/namespaces/default/pods/${row.pod ?? 'multi'}/exec?${row.query}`;
    const fromReal = await captureExec(real, path, row.protocols, row.onOpen);
    const fromLocal = await captureExec(localTarget, path, row.protocols, row.onOpen);
    expect(comparable(fromLocal, row.runtimeSpecific)).toEqual(comparable(fromReal, row.runtimeSpecific));
  });

  it.each(refused)('refused before the upgrade: $name', async (row) => {
    const offered = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
    const fromReal = await captureExec(real, row.path, offered);
    const fromLocal = await captureExec(localTarget, row.path, offered);
    expect(fromLocal.head[0]).toBe(fromReal.head[0]);
    // Same Status, same wording. (Byte for byte they differ: the real apiserver ends the body with a newline,
    // which exec-protocol.test.ts pins; the local cluster does not yet. Reported to the lead.)
    expect(JSON.parse(fromLocal.frames[0]?.text ?? 'null')).toEqual(JSON.parse(fromReal.frames[0]?.text ?? 'null'));
  });

  it.each([
    ['a valid token', true],
    ['an invalid token', false],
  ])('the bearer token as a WebSocket subprotocol (as a browser sends it): %s', async (_name, valid) => {
    const bearer = (token: string) =>
      `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;
    const path = '/api/v1/namespaces/default/pods/multi/exec?command=echo&command=hello&container=app&stdout=true';
    // The real apiserver gets a JWT from the harness's issuer for a user bound to cluster-admin (its groups are
    // prefixed "oidc:", so it cannot claim system:masters).
    const bound = await kubectl('1.33', harness.ready.kubeconfig, [
      'create',
      'clusterrolebinding',
      `browser-admin-${Date.now()}`,
      '--clusterrole=cluster-admin',
      '--user=oidc:browser-admin',
    ]);
    expect(bound.code).toBe(0);
    await waitUntilAllowed(harness.ready.kubeconfig, 'oidc:browser-admin', 'get', 'exec');
    const jwt = await mintToken(harness.ready, { sub: 'browser-admin' });
    const offer = (token: string) => ['v5.channel.k8s.io', 'v4.channel.k8s.io', bearer(valid ? token : 'not-a-token')];
    const fromReal = await captureExec({ server: real.server, ca: real.ca }, path, offer(jwt));
    const fromLocal = await captureExec({ server: localTarget.server, ca: localTarget.ca }, path, offer(local.token));
    if (valid) {
      expect(comparable(fromLocal)).toEqual(comparable(fromReal));
    } else {
      expect(fromLocal.head[0]).toBe(fromReal.head[0]);
      expect(JSON.parse(fromLocal.frames[0]?.text ?? 'null')).toEqual(JSON.parse(fromReal.frames[0]?.text ?? 'null'));
    }
  });

  it('v5 attach (output only) to the ticker: the same framing', async () => {
    const path = '/api/v1/namespaces/default/pods/ticker/attach?container=main&stdout=true';
    const shape = async (target: Target) => {
      const capture = await captureExec(target, path, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], (send) => {
        setTimeout(() => send.close(1000), 2500);
      });
      const text = capture.frames
        .slice(1)
        .map((f) => f.text)
        .join('');
      return {
        head: comparable(capture).head,
        first: capture.frames[0],
        channels: [...new Set(capture.frames.map((f) => f.channel))],
        lines: [...text.matchAll(/tick \d+(\r\n)/g)].map((m) => m[1]).slice(0, 2),
        closeCode: capture.closeCode,
      };
    };
    expect(await shape(localTarget)).toEqual(await shape(real));
  });
});

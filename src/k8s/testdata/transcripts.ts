// Golden transcripts G1–G10 of the Porthole research notes on Kubernetes exec/attach over WebSockets
// ("exec-protocol.md" §9, kept outside this repository). They are wire captures of real kubectl v1.33.1 (client
// frames, masked) against a fake apiserver that emulated the v5 translator (server frames, unmasked); G6's and
// G10's status payloads are written there as JSON text, so they are given here as text and framed by the test
// (which also checks the framing bytes quoted in the notes). Where the notes abbreviate the Success status of
// G3/G4 as `7b…7d`, the full bytes are those of G1. G5's client frames are abbreviated in the notes to their
// first bytes; their unmasked payloads are given instead. Copied by hand; do not edit the bytes.

export type Direction = 'S→C' | 'C→S';
export interface WireFrame {
  dir: Direction;
  hex: string;
  note?: string;
}

const SUCCESS_FRAME =
  '82 23 03 7b 22 6d 65 74 61 64 61 74 61 22 3a 7b 7d 2c 22 73 74 61 74 75 73 22 3a 22 53 75 63 63 65 73 73 22 7d';
const SERVER_CLOSE_1000 = '88 02 03 e8';

/** G1 — v5, non-TTY, success: `kubectl exec hello-a -- echo hello`. */
export const G1: WireFrame[] = [
  { dir: 'S→C', hex: '82 01 01', note: 'initial frame' },
  { dir: 'S→C', hex: '82 07 01 68 65 6c 6c 6f 0a', note: 'ch1 "hello\\n"' },
  { dir: 'S→C', hex: SUCCESS_FRAME, note: 'ch3 Success' },
  { dir: 'S→C', hex: SERVER_CLOSE_1000 },
  { dir: 'C→S', hex: '88 82 59 3b 6e cc 5a d3', note: 'close 1000 echo' },
];

/** G2 — v5, non-zero exit with stderr: `kubectl exec exit3-a -- sh -c 'echo oops >&2; exit 3'`. */
export const G2: WireFrame[] = [
  { dir: 'S→C', hex: '82 01 01' },
  { dir: 'S→C', hex: '82 06 02 6f 6f 70 73 0a', note: 'ch2 "oops\\n"' },
  {
    dir: 'S→C',
    note: 'ch3 NonZeroExitCode 3 (v5 doubled prefix)',
    hex: `82 7e 00 d5 03 7b 22 6d 65 74 61 64 61 74 61 22 3a 7b 7d 2c 22 73 74 61 74 75 73 22 3a 22 46 61 69 6c 75 72 65 22 2c
      22 6d 65 73 73 61 67 65 22 3a 22 63 6f 6d 6d 61 6e 64 20 74 65 72 6d 69 6e 61 74 65 64 20 77 69 74 68 20 6e 6f 6e 2d 7a
      65 72 6f 20 65 78 69 74 20 63 6f 64 65 3a 20 63 6f 6d 6d 61 6e 64 20 74 65 72 6d 69 6e 61 74 65 64 20 77 69 74 68 20 65
      78 69 74 20 63 6f 64 65 20 33 22 2c 22 72 65 61 73 6f 6e 22 3a 22 4e 6f 6e 5a 65 72 6f 45 78 69 74 43 6f 64 65 22 2c 22
      64 65 74 61 69 6c 73 22 3a 7b 22 63 61 75 73 65 73 22 3a 5b 7b 22 72 65 61 73 6f 6e 22 3a 22 45 78 69 74 43 6f 64 65 22
      2c 22 6d 65 73 73 61 67 65 22 3a 22 33 22 7d 5d 7d 7d`,
  },
  { dir: 'S→C', hex: SERVER_CLOSE_1000 },
  { dir: 'C→S', hex: '88 82 bb dd 37 9c b8 35', note: 'close 1000 echo' },
];

/** G3 — v5, piped stdin + CLOSE: `printf 'hi\nthere\n' | kubectl exec -i cat-a -- cat`. */
export const G3: WireFrame[] = [
  { dir: 'S→C', hex: '82 01 01' },
  { dir: 'C→S', hex: '82 8a a5 a0 7b 04 a5 c8 12 0e d1 c8 1e 76 c0 aa', note: 'ch0 "hi\\nthere\\n"' },
  { dir: 'S→C', hex: '82 0a 01 68 69 0a 74 68 65 72 65 0a', note: 'ch1 echo' },
  { dir: 'C→S', hex: '82 82 e8 e2 29 0f 17 e2', note: 'CLOSE stdin = ff 00' },
  { dir: 'S→C', hex: SUCCESS_FRAME },
  { dir: 'S→C', hex: SERVER_CLOSE_1000 },
  { dir: 'C→S', hex: '88 82 ce 45 e5 0a cd ad', note: 'close 1000 echo' },
];

/** G4 — v5, interactive TTY: `kubectl exec -it shell-a -- sh` in a 100×30 pty. */
export const G4: WireFrame[] = [
  { dir: 'S→C', hex: '82 01 01' },
  {
    dir: 'C→S',
    hex: '82 9b 70 fe e8 cc 74 85 ca 9b 19 9a 9c a4 52 c4 d9 fc 40 d2 ca 84 15 97 8f a4 04 dc d2 ff 40 83 e2',
    note: 'initial resize 100×30, 1 ms after the 101',
  },
  { dir: 'C→S', hex: '82 84 73 bc 08 01 73 d0 7b 0c', note: '"ls\\r"' },
  {
    dir: 'C→S',
    hex: '82 9b a3 52 38 07 a7 29 1a 50 ca 36 4c 6f 81 68 09 35 93 7e 1a 4f c6 3b 5f 6f d7 70 02 33 93 2f 32',
    note: 'resize 120×40 after SIGWINCH',
  },
  { dir: 'C→S', hex: '82 82 13 cc 26 ba 13 cf', note: 'Ctrl-C' },
  { dir: 'C→S', hex: '82 83 b7 00 ce 0f b7 c3 67', note: '"é"' },
  { dir: 'C→S', hex: '82 86 35 66 a4 c0 35 03 dc a9 41 6b', note: '"exit\\r"' },
  { dir: 'S→C', hex: SUCCESS_FRAME },
  { dir: 'S→C', hex: SERVER_CLOSE_1000 },
  { dir: 'C→S', hex: '88 82 45 cf 5a b2 46 27', note: 'close 1000 echo' },
];

/** G5 — v5 attach: `kubectl attach -it shell-attach` in a 100×30 pty; client payloads unmasked. */
export const G5 = {
  server: [{ dir: 'S→C', hex: '82 01 01' }] as WireFrame[],
  clientPayloads: ['04 {"Width":101,"Height":31}\n', '04 {"Width":100,"Height":30}\n', '00 abc'],
  /** The first bytes the notes keep of each masked client frame. */
  clientFramePrefixes: ['82 9b 22 a1 26 12', '82 9b 99 46 e3 0b', '82 84 3c 93 c5 f4 3c f2 a7 97'],
};

/** G6 — post-upgrade failure on the v5 path: its status payload and the frame header quoted for it. */
export const G6 = {
  header: '82 7e 01 0b',
  status:
    '{"metadata":{},"status":"Failure","message":"Internal error occurred: unable to upgrade connection: container not found (\\"main\\")","reason":"InternalError","details":{"causes":[{"message":"unable to upgrade connection: container not found (\\"main\\")"}]},"code":500}',
  kubectlSays: 'error: Internal error occurred: unable to upgrade connection: container not found ("main")',
};

/** G9 — deterministic masked client frames (mask key 37 fa 21 3d). */
export const G9 = {
  mask: '37 fa 21 3d',
  resize100x30: '82 9b 37 fa 21 3d 33 81 03 6a 5e 9e 55 55 15 c0 10 0d 07 d6 03 75 52 93 46 55 43 d8 1b 0e 07 87 2b',
  stdinLs: '82 84 37 fa 21 3d 37 96 52 30',
  closeStdin: '82 82 37 fa 21 3d c8 fa',
};

/** G10 — legacy v4.channel.k8s.io, `sh -c 'exit 3'`, non-TTY (the CRI server's wording). */
export const G10 = {
  header: '82 7e 00 e5',
  status:
    '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
};

/** Hex (whitespace separated) to bytes. */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(text.split(/\s+/).filter(Boolean), (b) => parseInt(b, 16));
}

/** A payload written as `<channel hex> <text>` (as in G5) to bytes. */
export function channelPayload(spec: string): Uint8Array {
  const channel = parseInt(spec.slice(0, 2), 16);
  return new Uint8Array([channel, ...new TextEncoder().encode(spec.slice(3))]);
}

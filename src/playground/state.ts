// What a playground page is made of, as far as the frame is concerned: a page, a Kubernetes version, the texts
// of its editors and a few named options. This is what a share link carries, so its shape is checked field by
// field when a link is opened (share/codec.ts).

export const KUBE_VERSIONS = ['1.30', '1.31', '1.32', '1.33', '1.34'] as const;
export type KubeVersion = (typeof KUBE_VERSIONS)[number];
export const DEFAULT_VERSION: KubeVersion = '1.34';

export const PLAYGROUND_PAGES = ['cel', 'authn', 'admission'] as const;
export type PlaygroundPage = (typeof PLAYGROUND_PAGES)[number];

export interface PlaygroundState {
  page: PlaygroundPage;
  version: KubeVersion;
  /** Editor texts by editor name (`expression`, `vars`, `config`, `policy`, …). */
  docs: Record<string, string>;
  /** Small page settings by name, each one of a known set of values or free text. */
  options: Record<string, string>;
}

/** The editors and options each page has; anything else in a share link is dropped. */
export const PAGE_FIELDS: Record<
  PlaygroundPage,
  { docs: readonly string[]; options: Record<string, readonly string[] | 'text'> }
> = {
  cel: {
    docs: ['expression', 'vars', 'variables'],
    options: { env: ['validation', 'mutation', 'matchCondition', 'authn'] },
  },
  authn: {
    docs: ['config', 'token', 'claims', 'jwks'],
    options: { now: 'text', tokenMode: ['jwt', 'claims'] },
  },
  admission: {
    docs: ['policy', 'binding', 'params', 'object', 'oldObject', 'namespace', 'request'],
    options: {},
  },
};

export function isKubeVersion(value: unknown): value is KubeVersion {
  return typeof value === 'string' && (KUBE_VERSIONS as readonly string[]).includes(value);
}

export function isPlaygroundPage(value: unknown): value is PlaygroundPage {
  return typeof value === 'string' && (PLAYGROUND_PAGES as readonly string[]).includes(value);
}

// The playground's whole working state: one Kubernetes version shared by the pages, and each page's documents
// and options. Pure, so the route component stays thin and this is tested without a browser.

import type { PlaygroundExample } from './examples.ts';
import {
  DEFAULT_VERSION,
  PAGE_FIELDS,
  PLAYGROUND_PAGES,
  type KubeVersion,
  type PlaygroundPage,
  type PlaygroundState,
} from './state.ts';

export type PageDocs = Pick<PlaygroundState, 'docs' | 'options'>;

export interface Workbench {
  version: KubeVersion;
  pages: Record<PlaygroundPage, PageDocs>;
}

/** What a page opens with: its first example, or empty editors for a page that has none yet. */
export function initialDocs(page: PlaygroundPage, examples: readonly PlaygroundExample[]): PageDocs {
  const first = examples[0];
  if (first) return { docs: { ...first.docs }, options: { ...first.options } };
  return { docs: Object.fromEntries(PAGE_FIELDS[page].docs.map((d) => [d, ''])), options: {} };
}

export function initialWorkbench(examples: Record<PlaygroundPage, readonly PlaygroundExample[]>): Workbench {
  const pages = Object.fromEntries(PLAYGROUND_PAGES.map((p) => [p, initialDocs(p, examples[p])]));
  return { version: DEFAULT_VERSION, pages: pages as Workbench['pages'] };
}

export function stateOf(workbench: Workbench, page: PlaygroundPage): PlaygroundState {
  return { page, version: workbench.version, ...workbench.pages[page] };
}

/** A state opened from a link replaces its page whole (a document it lacks is empty), and sets the version. */
export function withState(workbench: Workbench, state: PlaygroundState): Workbench {
  const docs = Object.fromEntries(PAGE_FIELDS[state.page].docs.map((d) => [d, state.docs[d] ?? '']));
  return {
    version: state.version,
    pages: { ...workbench.pages, [state.page]: { docs, options: { ...state.options } } },
  };
}

export function withDoc(workbench: Workbench, page: PlaygroundPage, doc: string, text: string): Workbench {
  const current = workbench.pages[page];
  if (current.docs[doc] === text) return workbench;
  return {
    ...workbench,
    pages: { ...workbench.pages, [page]: { ...current, docs: { ...current.docs, [doc]: text } } },
  };
}

export function withOption(workbench: Workbench, page: PlaygroundPage, name: string, value: string): Workbench {
  const current = workbench.pages[page];
  return {
    ...workbench,
    pages: { ...workbench.pages, [page]: { ...current, options: { ...current.options, [name]: value } } },
  };
}

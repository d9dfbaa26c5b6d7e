// The work in progress survives a reload of the tab: kept in sessionStorage (this tab only, gone when it
// closes, since a pasted token may be among it) in the share-link encoding, so it is read back through the same
// strict decoder as a link.

import { decodeShareFragment, encodeShareFragment } from '../share/codec.ts';
import { PLAYGROUND_PAGES, isKubeVersion } from '../state.ts';
import { stateOf, withState, type Workbench } from '../workbench.ts';

const KEY = 'porthole.playground';

export function saveWorkbench(workbench: Workbench): void {
  const pages = Object.fromEntries(PLAYGROUND_PAGES.map((p) => [p, encodeShareFragment(stateOf(workbench, p))]));
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ version: workbench.version, pages }));
  } catch {
    // Storage full or disabled: the page still works, it just will not survive a reload.
  }
}

/** The saved work over `fallback`, page by page: a page whose saved state does not decode keeps the fallback. */
export function restoreWorkbench(fallback: Workbench): Workbench {
  let saved: unknown;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
  } catch {
    return fallback;
  }
  if (typeof saved !== 'object' || saved === null) return fallback;
  const { version, pages } = saved as { version?: unknown; pages?: Record<string, unknown> };
  if (!isKubeVersion(version) || typeof pages !== 'object' || pages === null) return fallback;
  let workbench = fallback;
  for (const page of PLAYGROUND_PAGES) {
    const fragment = pages[page];
    const decoded = typeof fragment === 'string' ? decodeShareFragment(fragment) : undefined;
    if (decoded?.ok && decoded.state.page === page) workbench = withState(workbench, decoded.state);
  }
  return { ...workbench, version };
}

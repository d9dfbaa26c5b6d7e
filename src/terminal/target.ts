// What a terminal tab connects to: one container of one pod, by exec (a new process) or attach (the main one).
import { clusterPath } from '../app/api.ts';

export interface TerminalTarget {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  mode: 'exec' | 'attach';
  /** argv for exec; absent = an interactive shell found by shell discovery (bash, else sh). */
  command?: string[];
  /** Called once when the tab closes or the page goes away (a debug pod deletes itself here). */
  onClosed?: (why: 'tab-closed' | 'page-hidden') => void;
}

export function targetTitle(t: TerminalTarget): string {
  return `${t.mode === 'attach' ? 'attach ' : ''}${t.namespace}/${t.pod}/${t.container}`;
}

/** The pod's subresource path under the backend, e.g. `/clusters/local/api/v1/namespaces/default/pods/shell/exec`. */
export function subresourcePath(t: TerminalTarget): string {
  return clusterPath(
    t.cluster,
    `api/v1/namespaces/${encodeURIComponent(t.namespace)}/pods/${encodeURIComponent(t.pod)}/${t.mode}`,
  );
}

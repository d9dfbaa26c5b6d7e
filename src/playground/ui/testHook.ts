// The playground's part of the read-only test window (see src/terminal/testHook.ts): what Monaco holds and
// shows, so the browser tests check the editors themselves rather than our state. Absent unless a test made
// `window.__portholeTest` before the page loaded.

import { monaco } from '../../editor/monaco.ts';

export interface PlaygroundTestHook {
  /** Each editor's text by model URI. */
  models(): Record<string, string>;
  /** The markers Monaco shows, by model URI; `owner` is 'porthole' for the page's own, 'yaml' for monaco-yaml's. */
  markers(): { owner: string; uri: string; message: string; line: number; column: number; severity: number }[];
}

declare module '../../terminal/testHook.ts' {
  interface PortholeTestHook {
    playground?: PlaygroundTestHook;
  }
}

export function registerPlaygroundForTests(): void {
  const hook = window.__portholeTest;
  if (!hook || hook.playground) return;
  hook.playground = {
    models: () => Object.fromEntries(monaco.editor.getModels().map((m) => [m.uri.toString(), m.getValue()])),
    markers: () =>
      monaco.editor.getModelMarkers({}).map((m) => ({
        owner: m.owner,
        uri: m.resource.toString(),
        message: m.message,
        line: m.startLineNumber,
        column: m.startColumn,
        severity: m.severity,
      })),
  };
}

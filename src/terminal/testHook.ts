// A read-only window into the terminals for the browser tests and the benchmark. The app never creates it: a
// test defines `window.__portholeTest = {}` before the page loads (Playwright's addInitScript), and only then
// do tabs register here. Nothing in it can change what a session does.
import type { TerminalController } from './terminalController.ts';

export interface TestTab {
  id: string;
  title: string;
  /** The whole buffer (scrollback + screen), one string per line, trailing blanks trimmed. */
  lines(): string[];
  /** Bytes that reached `Terminal.write` (the empty flow-control writes add nothing). */
  bytesWritten: number;
  status(): string;
  renderer(): string;
  /** The current connection's flow-control marks (see OutputPacer.stats). */
  flow(): { maxUnparsedBytes: number; maxQueuedBytes: number; pauses: number } | null;
  /** Resolves once all output received so far has been parsed by xterm.js. */
  idle(): Promise<void>;
  controller: TerminalController;
}

export interface PortholeTestHook {
  tabs?: Record<string, TestTab>;
  activeTab?: string | null;
}

declare global {
  interface Window {
    __portholeTest?: PortholeTestHook;
  }
}

export function registerForTests(id: string, title: string, controller: TerminalController): () => void {
  const hook = window.__portholeTest;
  if (!hook) return () => {};
  const tabs = (hook.tabs ??= {});
  const term = controller.term;
  const entry: TestTab = {
    id,
    title,
    bytesWritten: 0,
    controller,
    lines() {
      const buffer = term.buffer.active;
      const out: string[] = [];
      for (let i = 0; i < buffer.length; i++) out.push(buffer.getLine(i)?.translateToString(true) ?? '');
      return out;
    },
    status: () => JSON.stringify(controller.status),
    renderer: () => controller.renderer.kind,
    idle: () => controller.pacer?.whenIdle() ?? Promise.resolve(),
    flow: () => controller.pacer?.stats ?? null,
  };
  // Count at the door of Terminal.write itself, so a lost chunk anywhere before it shows up as a short count.
  const write = term.write.bind(term);
  term.write = (data: string | Uint8Array, callback?: () => void) => {
    entry.bytesWritten += typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data.byteLength;
    write(data, callback);
  };
  tabs[id] = entry;
  return () => {
    delete tabs[id];
  };
}

export function setActiveTabForTests(id: string | null): void {
  const hook = window.__portholeTest;
  if (hook) hook.activeTab = id;
}

// One terminal tab without React: the xterm.js instance, its addons, and the session behind it. The component
// (TerminalTab.tsx) mounts it and renders its status; everything with timing or lifecycle lives here.
import { Terminal } from '@xterm/xterm';
import { AttachAddon } from '@xterm/addon-attach';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { streamingQuery } from '../k8s/url.ts';
import type { SessionEnd } from '../k8s/types.ts';
import { diagnoseUpgrade } from '../app/api.ts';
import { ChannelSocket } from './channelSocket.ts';
import { chooseRenderer, probeGlRenderer, type RendererChoice, type RendererKind } from './renderer.ts';
import type { SessionOpener, SessionPort } from './sessionPort.ts';
import { statusFromEnd, type TabStatus } from './tabStatus.ts';
import { subresourcePath, type TerminalTarget } from './target.ts';
import { SHELL_DISCOVERY_COMMAND } from '../k8s/shell.ts';

/** Window and pane resizes come in bursts; the remote TTY gets one resize after the burst. */
const RESIZE_DEBOUNCE_MS = 80;

export interface ActiveRenderer extends RendererChoice {
  /** Set when the chosen renderer failed and the DOM renderer took over. */
  fallback?: string;
}

export interface TerminalControllerOptions {
  openSession: SessionOpener;
  renderer?: RendererKind | null;
  /** Asks the UI to show the search box (Ctrl+Shift+F). */
  onSearchRequested?: () => void;
}

export class TerminalController {
  readonly target: TerminalTarget;
  readonly term: Terminal;
  readonly search = new SearchAddon();
  #fit = new FitAddon();
  #options: TerminalControllerOptions;
  #status: TabStatus = { state: 'connecting' };
  #renderer: ActiveRenderer = { kind: 'dom', reason: 'not mounted yet' };
  #listeners = new Set<() => void>();
  #session: SessionPort | null = null;
  #socket: ChannelSocket | null = null;
  #attach: AttachAddon | null = null;
  #resizeObserver: ResizeObserver | null = null;
  #resizeTimer: ReturnType<typeof setTimeout> | undefined;
  #connections = 0;
  #disposed = false;

  constructor(target: TerminalTarget, options: TerminalControllerOptions) {
    this.target = target;
    this.#options = options;
    this.term = new Terminal({
      allowProposedApi: true, // the unicode11 addon sets `unicode.activeVersion`, a proposed API
      cursorBlink: true,
      scrollback: 5000,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      theme: { background: '#101418', foreground: '#d8dee9' },
    });
    this.term.loadAddon(this.#fit);
    this.term.loadAddon(this.search);
    this.term.loadAddon(new WebLinksAddon());
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.term.attachCustomKeyEventHandler((event) => this.#onKey(event));
    this.term.onResize(({ cols, rows }) => this.#session?.resize(cols, rows));
  }

  get status(): TabStatus {
    return this.#status;
  }

  get renderer(): ActiveRenderer {
    return this.#renderer;
  }

  /** Bytes of output handed to the terminal by the current connection (for tests and the benchmark). */
  get pacer() {
    return this.#socket?.pacer ?? null;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  mount(element: HTMLElement): void {
    this.term.open(element);
    this.#renderer = this.#startRenderer();
    this.#fitIfVisible();
    this.#resizeObserver = new ResizeObserver(() => {
      clearTimeout(this.#resizeTimer);
      this.#resizeTimer = setTimeout(() => this.#fitIfVisible(), RESIZE_DEBOUNCE_MS);
    });
    this.#resizeObserver.observe(element);
    this.#emit();
  }

  /** Opens a session: the first time, and again for Reopen (a new process) or Reconnect (attach: the same one). */
  connect(): void {
    if (this.#disposed) return;
    this.#closeCurrent();
    if (this.#connections++ > 0) this.term.write('\r\n\x1b[2m──── reconnecting ────\x1b[0m\r\n');
    this.#setStatus({ state: 'connecting' });
    const target = this.#sessionTarget();
    const connection = this.#connections;
    let session: SessionPort | null = null;
    const socket = new ChannelSocket(
      subresourcePath(target),
      { sendStdin: (d) => session?.sendStdin(d) },
      this.term,
      () => session?.hangUp(),
      { pause: () => session?.pause?.(), resume: () => session?.resume?.() },
    );
    const isCurrent = () => connection === this.#connections && !this.#disposed;
    session = this.#options.openSession(
      target,
      { cols: this.term.cols, rows: this.term.rows },
      {
        onOpen: (protocol) => {
          if (!isCurrent()) return;
          socket.opened(protocol);
          this.#attach = new AttachAddon(socket as unknown as WebSocket); // the adapter is WebSocket-shaped
          this.term.loadAddon(this.#attach);
          this.#setStatus({ state: 'connected', protocol });
        },
        // After a tab is closed its terminal is gone; output still in flight has nowhere to go.
        onOutput: (bytes) => isCurrent() && socket.output(bytes),
        onEnd: (end) => void this.#ended(socket, end, connection),
      },
    );
    this.#session = session;
    this.#socket = socket;
  }

  /** Closes the session on purpose (tab closed, page hidden): the client ends a TTY shell before closing. */
  hangUp(): void {
    this.#session?.hangUp();
  }

  focus(): void {
    this.term.focus();
  }

  fit(): void {
    this.#fitIfVisible();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.hangUp();
    this.#disposed = true;
    clearTimeout(this.#resizeTimer);
    this.#resizeObserver?.disconnect();
    this.term.dispose();
    this.#listeners.clear();
  }

  async copySelection(): Promise<boolean> {
    const text = this.term.getSelection();
    if (!text) return false;
    await navigator.clipboard.writeText(text);
    return true;
  }

  async pasteFromClipboard(): Promise<void> {
    // Through xterm's paste: it honours bracketed-paste mode and normalises line endings; the client chunks stdin.
    this.term.paste(await navigator.clipboard.readText());
  }

  #sessionTarget(): TerminalTarget {
    if (this.target.mode === 'exec' && !this.target.command) {
      return { ...this.target, command: [...SHELL_DISCOVERY_COMMAND] };
    }
    return this.target;
  }

  async #ended(socket: ChannelSocket, end: SessionEnd, connection: number): Promise<void> {
    let diagnostic: string | undefined;
    if (!end.opened && !end.hungUp && end.result === null) {
      const target = this.#sessionTarget();
      const query = streamingQuery(target.mode, {
        command: target.command,
        container: target.container,
        stdin: true,
        stdout: true,
        stderr: false,
        tty: true,
      });
      diagnostic = (await diagnoseUpgrade(`${subresourcePath(target)}?${query}`)).message;
    }
    await socket.ended(end.closeCode, end.closeReason);
    if (connection !== this.#connections || this.#disposed) return;
    this.#session = null;
    this.#attach?.dispose();
    this.#attach = null;
    this.#setStatus(statusFromEnd(end, diagnostic));
  }

  #closeCurrent(): void {
    this.#attach?.dispose();
    this.#attach = null;
    this.#session?.hangUp();
    this.#session = null;
    this.#socket = null;
  }

  #setStatus(status: TabStatus): void {
    this.#status = status;
    this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }

  #fitIfVisible(): void {
    if (this.#disposed) return;
    const dims = this.#fit.proposeDimensions();
    // A hidden tab proposes 0 or NaN: never resize the remote TTY to that (§2.5).
    if (!dims || !Number.isFinite(dims.cols) || !Number.isFinite(dims.rows) || dims.cols < 2 || dims.rows < 1) return;
    if (dims.cols !== this.term.cols || dims.rows !== this.term.rows) this.#fit.fit();
  }

  #startRenderer(): ActiveRenderer {
    const glRenderer = probeGlRenderer();
    const automatic = chooseRenderer(glRenderer);
    const forced = this.#options.renderer;
    const choice: RendererChoice =
      forced && forced !== automatic.kind
        ? { kind: forced, reason: `forced by ?renderer=${forced} (${automatic.reason})` }
        : automatic;
    if (choice.kind === 'dom') return choice;
    // The WebGL addon is a large module: loaded only when it will run. The DOM renderer draws meanwhile.
    import('@xterm/addon-webgl').then(
      ({ WebglAddon }) => {
        if (this.#disposed) return;
        try {
          const webgl = new WebglAddon();
          webgl.onContextLoss(() => {
            webgl.dispose();
            this.#renderer = { kind: 'dom', reason: choice.reason, fallback: 'the WebGL context was lost' };
            this.#emit();
          });
          this.term.loadAddon(webgl);
          this.#renderer = choice;
        } catch (error) {
          this.#renderer = {
            kind: 'dom',
            reason: choice.reason,
            fallback: `WebGL failed to start: ${(error as Error).message}`,
          };
        }
        this.#emit();
      },
      (error: unknown) => {
        this.#renderer = { kind: 'dom', reason: choice.reason, fallback: `WebGL failed to load: ${String(error)}` };
        this.#emit();
      },
    );
    return { kind: 'dom', reason: choice.reason, fallback: 'WebGL is loading' };
  }

  #onKey(event: KeyboardEvent): boolean {
    if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return true;
    switch (event.code) {
      case 'KeyC':
        // Copy instead of sending ^C; preventDefault also keeps Chromium's Ctrl+Shift+C (inspect element) away.
        event.preventDefault();
        void this.copySelection();
        return false;
      case 'KeyV':
        // Let the browser's own paste event reach xterm (it reads the clipboard without a permission prompt).
        return false;
      case 'KeyF':
        event.preventDefault();
        this.#options.onSearchRequested?.();
        return false;
      default:
        return true;
    }
  }
}

import { useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import '@xterm/xterm/css/xterm.css';
import type { TerminalController } from './terminalController.ts';
import { statusAction, statusText } from './tabStatus.ts';

interface Props {
  controller: TerminalController;
  active: boolean;
  searchOpen: boolean;
  onSearchClose: () => void;
}

/** One tab's panel: the terminal, a status line with Reopen/Reconnect, copy/paste, and the search box. */
export function TerminalTab({ controller, active, searchOpen, onSearchClose }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const status = useSyncExternalStore(
    (listener) => controller.subscribe(listener),
    () => controller.status,
  );
  const renderer = useSyncExternalStore(
    (listener) => controller.subscribe(listener),
    () => controller.renderer,
  );

  useEffect(() => {
    const element = host.current;
    if (!element || element.childElementCount > 0) return;
    controller.mount(element);
    controller.connect();
  }, [controller]);

  useEffect(() => {
    if (!active) return;
    controller.fit();
    controller.focus();
  }, [active, controller]);

  const action = statusAction(status, controller.target.mode);
  const live = status.state === 'connected';
  return (
    <div className="terminal-tab">
      <div className="terminal-toolbar">
        <span className={`status status-${status.state}`} role="status" aria-live="polite" data-status={status.state}>
          {statusText(status)}
        </span>
        {action ? (
          <button type="button" onClick={() => controller.connect()}>
            {action}
          </button>
        ) : null}
        <span className="toolbar-spacer" />
        <button type="button" onClick={() => void controller.copySelection()} title="Copy the selection (Ctrl+Shift+C)">
          Copy
        </button>
        <button
          type="button"
          onClick={() => void controller.pasteFromClipboard()}
          disabled={!live}
          title="Paste from the clipboard (Ctrl+Shift+V)"
        >
          Paste
        </button>
        <span
          className="renderer"
          title={renderer.fallback ? `${renderer.reason}; ${renderer.fallback}` : renderer.reason}
        >
          renderer: {renderer.kind === 'webgl' ? 'WebGL' : 'DOM'}
        </span>
      </div>
      {searchOpen ? <SearchBox controller={controller} onClose={onSearchClose} /> : null}
      <div className="terminal-host" ref={host} />
    </div>
  );
}

function SearchBox({ controller, onClose }: { controller: TerminalController; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<boolean | null>(null);
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const find = (backwards: boolean) => {
    if (!query) return;
    setFound(backwards ? controller.search.findPrevious(query) : controller.search.findNext(query));
  };
  const close = () => {
    controller.search.clearDecorations();
    onClose();
    controller.focus();
  };

  return (
    <div className="search-box" role="search">
      <label htmlFor={inputId}>Find</label>
      <input
        id={inputId}
        ref={input}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') find(e.shiftKey);
          if (e.key === 'Escape') close();
        }}
        spellCheck={false}
      />
      <button type="button" onClick={() => find(true)} aria-label="Previous match">
        ↑
      </button>
      <button type="button" onClick={() => find(false)} aria-label="Next match">
        ↓
      </button>
      <span aria-live="polite">{found === false ? 'No match' : ''}</span>
      <button type="button" onClick={close} aria-label="Close search">
        ×
      </button>
    </div>
  );
}

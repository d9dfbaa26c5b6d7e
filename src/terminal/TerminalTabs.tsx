import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { TerminalController } from './terminalController.ts';
import { TerminalTab } from './TerminalTab.tsx';
import { rendererOverride } from './renderer.ts';
import type { SessionOpener } from './sessionPort.ts';
import { targetTitle, type TerminalTarget } from './target.ts';
import { registerForTests, setActiveTabForTests } from './testHook.ts';

interface Tab {
  id: string;
  target: TerminalTarget;
  title: string;
  controller: TerminalController;
  unregister: () => void;
}

let nextTabId = 1;

export interface TerminalTabsApi {
  tabs: Tab[];
  activeId: string | null;
  open(target: TerminalTarget): void;
  close(id: string): void;
  activate(id: string): void;
}

/** The open tabs. Each tab owns its terminal and session; closing one hangs its session up on purpose. */
export function useTerminalTabs(
  openSession: SessionOpener,
): TerminalTabsApi & { searchId: string | null; setSearchId: (id: string | null) => void } {
  const [tabs, setTabs] = useState<Tab[]>([]);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [searchId, setSearchId] = useState<string | null>(null);
  const tabsRef = useRef(tabs);
  useLayoutEffect(() => {
    tabsRef.current = tabs;
  }, [tabs]);

  const open = useCallback(
    (target: TerminalTarget) => {
      const id = `tab-${nextTabId++}`;
      // Distinct names for tabs on the same container, so each tab and its close button can be told apart.
      const base = targetTitle(target);
      const taken = new Set(tabsRef.current.map((t) => t.title));
      let title = base;
      for (let n = 2; taken.has(title); n++) title = `${base} (${n})`;
      const controller = new TerminalController(target, {
        openSession,
        renderer: rendererOverride(location.search),
        onSearchRequested: () => setSearchId(id),
      });
      const unregister = registerForTests(id, title, controller);
      setTabs((current) => [...current, { id, target, title, controller, unregister }]);
      setActiveId(id);
    },
    [openSession],
  );

  const close = useCallback((id: string) => {
    const tab = tabsRef.current.find((t) => t.id === id);
    if (!tab) return;
    tab.controller.dispose();
    tab.unregister();
    tab.target.onClosed?.('tab-closed');
    const remaining = tabsRef.current.filter((t) => t.id !== id);
    setTabs(remaining);
    setActiveId((current) => {
      if (current !== id) return current;
      const index = tabsRef.current.findIndex((t) => t.id === id);
      return (remaining[Math.min(index, remaining.length - 1)] ?? null)?.id ?? null;
    });
  }, []);

  useEffect(() => setActiveTabForTests(activeId), [activeId]);

  // Leaving the page ends every session on purpose, so no shell is left running behind a closed tab (§7.7).
  useEffect(() => {
    const onPageHide = () => {
      for (const tab of tabsRef.current) {
        tab.controller.hangUp();
        tab.target.onClosed?.('page-hidden');
      }
    };
    window.addEventListener('pagehide', onPageHide);
    return () => window.removeEventListener('pagehide', onPageHide);
  }, []);

  return { tabs, activeId, open, close, activate: setActiveId, searchId, setSearchId };
}

export function TerminalTabs({ api }: { api: ReturnType<typeof useTerminalTabs> }) {
  const { tabs, activeId, close, activate, searchId, setSearchId } = api;
  const tabButtons = useRef(new Map<string, HTMLButtonElement>());

  // The WAI-ARIA tabs pattern: arrows move between tabs, Home/End jump, Delete closes.
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const move = (to: number) => {
      const tab = tabs[(to + tabs.length) % tabs.length];
      if (!tab) return;
      activate(tab.id);
      tabButtons.current.get(tab.id)?.focus();
      event.preventDefault();
    };
    if (event.key === 'ArrowRight') move(index + 1);
    else if (event.key === 'ArrowLeft') move(index - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(tabs.length - 1);
    else if (event.key === 'Delete') {
      const tab = tabs[index];
      if (tab) close(tab.id);
    }
  };

  if (tabs.length === 0) {
    return (
      <section className="tabs-empty" aria-label="Terminals">
        <p>Pick a container on the left: Shell opens a shell (bash, else sh), Attach joins its main process.</p>
      </section>
    );
  }

  return (
    <section className="tabs" aria-label="Terminals">
      <div role="tablist" aria-label="Open terminals" className="tablist">
        {tabs.map((tab, index) => (
          <span key={tab.id} className={`tab${tab.id === activeId ? ' tab-active' : ''}`}>
            <button
              type="button"
              role="tab"
              id={`${tab.id}-tab`}
              aria-selected={tab.id === activeId}
              aria-controls={`${tab.id}-panel`}
              tabIndex={tab.id === activeId ? 0 : -1}
              ref={(el) => {
                if (el) tabButtons.current.set(tab.id, el);
                else tabButtons.current.delete(tab.id);
              }}
              onClick={() => activate(tab.id)}
              onKeyDown={(e) => onKeyDown(e, index)}
            >
              {tab.title}
            </button>
            <button type="button" className="tab-close" aria-label={`Close ${tab.title}`} onClick={() => close(tab.id)}>
              ×
            </button>
          </span>
        ))}
      </div>
      {tabs.map((tab) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`${tab.id}-panel`}
          aria-labelledby={`${tab.id}-tab`}
          className="tabpanel"
          data-tab-id={tab.id}
          hidden={tab.id !== activeId}
        >
          <TerminalTab
            controller={tab.controller}
            active={tab.id === activeId}
            searchOpen={searchId === tab.id}
            onSearchClose={() => setSearchId(null)}
          />
        </div>
      ))}
    </section>
  );
}

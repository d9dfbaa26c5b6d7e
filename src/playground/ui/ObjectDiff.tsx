// The object before and after admission, as a read-only Monaco diff (inline when the panel is narrow). Its models
// live at fixed URIs so the browser tests can read what is shown.

import { useEffect, useRef } from 'react';
import { monaco } from '../../editor/monaco.ts';

export const DIFF_URIS = {
  original: 'inmemory://playground/admission/diff/input.yaml',
  modified: 'inmemory://playground/admission/diff/final.yaml',
} as const;

export function ObjectDiff({ before, after }: { before: string; after: string }) {
  const host = useRef<HTMLDivElement>(null);
  const models = useRef<{ original: monaco.editor.ITextModel; modified: monaco.editor.ITextModel } | null>(null);

  useEffect(() => {
    const make = (uri: string) => {
      const parsed = monaco.Uri.parse(uri);
      monaco.editor.getModel(parsed)?.dispose();
      return monaco.editor.createModel('', 'yaml', parsed);
    };
    const original = make(DIFF_URIS.original);
    const modified = make(DIFF_URIS.modified);
    models.current = { original, modified };
    const editor = monaco.editor.createDiffEditor(host.current!, {
      theme: 'porthole-dark',
      readOnly: true,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      renderSideBySide: true,
      useInlineViewWhenSpaceIsLimited: true,
      renderSideBySideInlineBreakpoint: 700,
      hideUnchangedRegions: { enabled: true, contextLineCount: 3, minimumLineCount: 6 },
      fontSize: 13,
      lineNumbersMinChars: 3,
      renderOverviewRuler: false,
      ariaLabel: 'The object before and after admission',
    });
    editor.setModel({ original, modified });
    return () => {
      editor.dispose();
      original.dispose();
      modified.dispose();
      models.current = null;
    };
  }, []);

  useEffect(() => {
    const m = models.current;
    if (!m) return;
    if (m.original.getValue() !== before) m.original.setValue(before);
    if (m.modified.getValue() !== after) m.modified.setValue(after);
  }, [before, after]);

  const lines = Math.min(24, Math.max(before.split('\n').length, after.split('\n').length) + 1);
  return <div ref={host} className="object-diff" style={{ height: `${lines * 19 + 8}px` }} data-field="diff" />;
}

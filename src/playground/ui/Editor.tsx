// One Monaco editor bound to one playground document: the model lives at a stable URI (so monaco-yaml can match
// a JSON schema to it and completion can find its context), the page's text flows in without losing undo, and
// the latest evaluation's diagnostics are its markers.

import { useEffect, useRef } from 'react';
import { monaco } from '../../editor/monaco.ts';
import type { Diagnostic } from '../evaluation.ts';

export interface EditorProps {
  uri: string;
  language: 'yaml' | 'cel' | 'plaintext';
  label: string;
  value: string;
  onChange: (value: string) => void;
  diagnostics: readonly Diagnostic[];
  /** Height in lines (the editor scrolls past it). */
  lines: number;
}

const SEVERITY = {
  error: monaco.MarkerSeverity.Error,
  warning: monaco.MarkerSeverity.Warning,
  info: monaco.MarkerSeverity.Info,
} as const;

export function Editor({ uri, language, label, value, onChange, diagnostics, lines }: EditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const model = useRef<monaco.editor.ITextModel | null>(null);
  const applying = useRef(false);
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  useEffect(() => {
    const parsed = monaco.Uri.parse(uri);
    const m = monaco.editor.getModel(parsed) ?? monaco.editor.createModel(value, language, parsed);
    m.setEOL(monaco.editor.EndOfLineSequence.LF);
    model.current = m;
    const editor = monaco.editor.create(host.current!, {
      model: m,
      theme: 'porthole-dark',
      ariaLabel: label,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fixedOverflowWidgets: true,
      fontSize: 13,
      tabSize: 2,
      lineNumbersMinChars: 3,
      wordWrap: language === 'yaml' ? 'off' : 'on',
      renderLineHighlight: 'none',
      'semanticHighlighting.enabled': false,
    });
    const subscription = m.onDidChangeContent(() => {
      if (!applying.current) onChangeRef.current(m.getValue());
    });
    return () => {
      subscription.dispose();
      editor.dispose();
      m.dispose();
      model.current = null;
    };
    // The model is made once per URI; later values arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [uri, language, label]);

  useEffect(() => {
    const m = model.current;
    if (!m || m.getValue() === value.replace(/\r\n?/g, '\n')) return;
    // An edit operation rather than setValue, so Ctrl+Z brings back what an example or a link replaced.
    applying.current = true;
    try {
      // Stack elements on both sides: one undo step, not merged with the typing before or after it.
      m.pushStackElement();
      m.pushEditOperations([], [{ range: m.getFullModelRange(), text: value }], () => null);
      m.pushStackElement();
    } finally {
      applying.current = false;
    }
  }, [value]);

  useEffect(() => {
    const m = model.current;
    if (!m) return;
    monaco.editor.setModelMarkers(
      m,
      'porthole',
      diagnostics.map((d) => ({ ...d.range, message: d.message, severity: SEVERITY[d.severity] })),
    );
  }, [diagnostics]);

  return <div ref={host} className="editor" style={{ height: `${lines * 19 + 8}px` }} data-uri={uri} />;
}

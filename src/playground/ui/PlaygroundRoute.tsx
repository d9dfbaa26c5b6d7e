// The playground frame: page tabs, the shared Kubernetes version, examples, share links, and the live page.
// Loaded lazily by App.tsx, so Monaco and the evaluators reach the browser only when a playground is opened.
// It contacts no cluster: everything runs in this tab and its worker.

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { navigate } from '../../app/router.ts';
import { setCelCompletionContext } from '../../editor/cel-language.ts';
import { setYamlSchemas } from '../../editor/monaco.ts';
import type { JsonSchema } from '../../k8s/openapi/json-schema.ts';
import type { SchemasSettings } from 'monaco-yaml';
import type { Diagnostic } from '../evaluation.ts';
import { decodeShareFragment, isShareFragment } from '../share/codec.ts';
import { KUBE_VERSIONS, PLAYGROUND_PAGES, isKubeVersion, type KubeVersion, type PlaygroundPage } from '../state.ts';
import { initialWorkbench, stateOf, withDoc, withOption, withState, type Workbench } from '../workbench.ts';
import { Editor } from './Editor.tsx';
import type { RootSchema } from '../../k8s/openapi/fields.ts';
import { PAGE_UI, type EditorSpec, type PageUi } from './pages.tsx';
import { restoreWorkbench, saveWorkbench } from './persist.ts';
import { ShareButton } from './ShareButton.tsx';
import { registerPlaygroundForTests } from './testHook.ts';
import { useEvaluation, type Shown } from './useEvaluation.ts';
import './playground.css';

registerPlaygroundForTests();

type Banner = { kind: 'error' | 'info'; text: string } | null;

const EXAMPLES = Object.fromEntries(PLAYGROUND_PAGES.map((p) => [p, PAGE_UI[p].examples])) as Record<
  PlaygroundPage,
  PageUi['examples']
>;

/** Where an editor's Monaco model lives: stable, so markers, undo and monaco-yaml's schemas can find it. */
function modelUri(page: PlaygroundPage, doc: string, language: string): string {
  return `inmemory://playground/${page}/${doc}.${language}`;
}

/**
 * The YAML schemas of a page's editors at a version (only that page's editors exist, and another page's
 * schemas may need data this one does not); a schema object given to several editors is sent once.
 */
async function yamlSchemasFor(page: PlaygroundPage, version: KubeVersion): Promise<SchemasSettings[]> {
  const schemas = (await PAGE_UI[page].yamlSchemas?.(version)) ?? [];
  const settings = new Map<JsonSchema, SchemasSettings & { fileMatch: string[] }>();
  for (const { doc, schema } of schemas) {
    const shared = settings.get(schema);
    if (shared) shared.fileMatch.push(modelUri(page, doc, 'yaml'));
    else {
      settings.set(schema, {
        uri: `inmemory://schemas/${version}/${page}/${doc}.json`,
        fileMatch: [modelUri(page, doc, 'yaml')],
        schema,
      });
    }
  }
  return [...settings.values()];
}

export default function PlaygroundRoute({ page }: { page: PlaygroundPage }) {
  const [workbench, setWorkbench] = useState<Workbench>(() => restoreWorkbench(initialWorkbench(EXAMPLES)));
  const [banner, setBanner] = useState<Banner>(null);

  useEffect(() => {
    const open = () => {
      const fragment = location.hash.slice(1);
      if (!isShareFragment(fragment)) return;
      const decoded = decodeShareFragment(fragment);
      if (!decoded.ok) {
        setBanner({ kind: 'error', text: decoded.error });
        history.replaceState(null, '', location.pathname);
        return;
      }
      setWorkbench((w) => withState(w, decoded.state));
      const dropped = decoded.dropped.length
        ? ` Left out what this Porthole does not know: ${decoded.dropped.join(', ')}.`
        : '';
      setBanner({ kind: 'info', text: `Opened a shared ${PAGE_UI[decoded.state.page].title} playground.${dropped}` });
      navigate(`/playground/${decoded.state.page}${location.hash}`, { replace: true });
    };
    open();
    window.addEventListener('hashchange', open);
    return () => window.removeEventListener('hashchange', open);
  }, []);

  // The YAML editors validate and complete against the kinds of the chosen Kubernetes version.
  useEffect(() => {
    let current = true;
    yamlSchemasFor(page, workbench.version).then(
      (schemas) => current && setYamlSchemas(schemas),
      (error: unknown) => console.error('the YAML schemas did not load', error),
    );
    return () => {
      current = false;
    };
  }, [page, workbench.version]);

  useEffect(() => {
    const timer = setTimeout(() => saveWorkbench(workbench), 400);
    // A reload or a navigation within the debounce must not lose the last edit.
    const now = () => saveWorkbench(workbench);
    window.addEventListener('pagehide', now);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pagehide', now);
    };
  }, [workbench]);

  // A link's state is the starting point; once edited, the address no longer describes the page.
  const edit = useCallback((change: (w: Workbench) => Workbench) => {
    if (isShareFragment(location.hash.slice(1))) history.replaceState(null, '', location.pathname);
    setWorkbench(change);
  }, []);

  const ui = PAGE_UI[page];
  const pageDocs = workbench.pages[page];
  const state = useMemo(() => ({ page, version: workbench.version, ...pageDocs }), [page, workbench.version, pageDocs]);

  return (
    <div className="playground">
      <div className="playground-bar">
        <nav aria-label="Playground pages" className="page-tabs">
          {PLAYGROUND_PAGES.map((p) => (
            <a
              key={p}
              href={`/playground/${p}`}
              aria-current={p === page ? 'page' : undefined}
              onClick={(e) => {
                if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                e.preventDefault();
                navigate(`/playground/${p}`);
              }}
            >
              {PAGE_UI[p].title}
            </a>
          ))}
        </nav>
        <label>
          Kubernetes{' '}
          <select
            aria-label="Kubernetes version"
            value={workbench.version}
            onChange={(e) => {
              const version = e.target.value;
              if (isKubeVersion(version)) edit((w) => ({ ...w, version }));
            }}
          >
            {KUBE_VERSIONS.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        {ui.examples.length ? (
          <select
            aria-label="Examples"
            value=""
            onChange={(e) => {
              const example = ui.examples.find((x) => x.id === e.target.value);
              if (example) edit((w) => withState(w, { ...stateOf(w, page), ...example }));
            }}
          >
            <option value="">Examples…</option>
            {ui.examples.map((x) => (
              <option key={x.id} value={x.id} title={x.summary}>
                {x.title}
              </option>
            ))}
          </select>
        ) : null}
        <ShareButton state={state} />
      </div>
      {banner ? (
        <div className={`banner ${banner.kind}`} role={banner.kind === 'error' ? 'alert' : 'status'}>
          <span>{banner.text}</span>
          <button type="button" aria-label="Dismiss" onClick={() => setBanner(null)}>
            ×
          </button>
        </div>
      ) : null}
      <PageView key={page} ui={ui} state={state} edit={edit} />
    </div>
  );
}

function PageView({
  ui,
  state,
  edit,
}: {
  ui: PageUi;
  state: ReturnType<typeof stateOf>;
  edit: (change: (w: Workbench) => Workbench) => void;
}) {
  const live = useEvaluation(state);
  const byDoc = useMemo(() => diagnosticsByDoc(live.shown), [live.shown]);
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  }, [state]);

  return (
    <div className="page" data-page={state.page}>
      <div className="inputs">
        {ui.actions?.({
          docs: state.docs,
          options: state.options,
          change: (docs, options = {}) =>
            edit((w) => {
              let next = w;
              for (const [doc, text] of Object.entries(docs)) next = withDoc(next, state.page, doc, text);
              for (const [name, value] of Object.entries(options)) next = withOption(next, state.page, name, value);
              return next;
            }),
        })}
        {ui.options.map((o) => (
          <label key={o.name} className="option">
            {o.label}{' '}
            {o.choices.length === 0 ? (
              <input
                type="text"
                aria-label={o.label}
                value={state.options[o.name] ?? o.initial}
                placeholder={o.placeholder}
                onChange={(e) => edit((w) => withOption(w, state.page, o.name, e.target.value))}
              />
            ) : (
              <select
                aria-label={o.label}
                value={state.options[o.name] ?? o.initial}
                onChange={(e) => edit((w) => withOption(w, state.page, o.name, e.target.value))}
              >
                {o.choices.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            )}
          </label>
        ))}
        {ui.editors.map((spec) => (
          <DocEditor
            key={spec.doc}
            spec={spec}
            page={state.page}
            value={state.docs[spec.doc] ?? ''}
            diagnostics={byDoc.get(spec.doc) ?? NO_DIAGNOSTICS}
            edit={edit}
            completion={
              ui.celCompletion ? () => ui.celCompletion!(latest.current.docs, latest.current.options) : undefined
            }
            schemas={
              ui.celSchemas
                ? () => ui.celSchemas!(latest.current.docs, latest.current.options, latest.current.version)
                : undefined
            }
          />
        ))}
      </div>
      <section className="result" aria-label="Result" data-answered={live.answered} aria-busy={live.pending}>
        <h2>Result</h2>
        {live.shown.kind === 'failure' ? (
          <p className="failure error" role="alert">
            {live.shown.message}
          </p>
        ) : null}
        {ui.result(live.shown)}
        <Problems shown={live.shown} />
      </section>
    </div>
  );
}

const NO_DIAGNOSTICS: readonly Diagnostic[] = [];

function DocEditor({
  spec,
  page,
  value,
  diagnostics,
  edit,
  completion,
  schemas,
}: {
  spec: EditorSpec;
  page: PlaygroundPage;
  value: string;
  diagnostics: readonly Diagnostic[];
  edit: (change: (w: Workbench) => Workbench) => void;
  completion: (() => Record<string, unknown>) | undefined;
  schemas: (() => Promise<Record<string, RootSchema>>) | undefined;
}) {
  const uri = modelUri(page, spec.doc, spec.language);
  const completionRef = useRef({ completion, schemas });
  useEffect(() => {
    completionRef.current = { completion, schemas };
  }, [completion, schemas]);
  useEffect(() => {
    if (spec.language !== 'cel') return;
    return setCelCompletionContext(uri, async () => {
      const { completion, schemas } = completionRef.current;
      // Without the schemas (their data failed to load), the samples still complete.
      const known = await schemas?.().catch(() => undefined);
      return { variables: completion?.() ?? {}, ...(known ? { schemas: known } : {}) };
    });
  }, [uri, spec.language]);
  const onChange = useCallback((text: string) => edit((w) => withDoc(w, page, spec.doc, text)), [edit, page, spec.doc]);
  return (
    <div className="doc" data-doc={spec.doc}>
      <div className="doc-label">{spec.label}</div>
      <Editor
        uri={uri}
        language={spec.language}
        label={spec.label}
        value={value}
        onChange={onChange}
        diagnostics={diagnostics}
        lines={spec.lines}
      />
    </div>
  );
}

/** Every marker also listed in words, so a problem in a scrolled-away or collapsed editor is not missed. */
function Problems({ shown }: { shown: Shown }) {
  if (shown.kind !== 'evaluation' || shown.evaluation.diagnostics.length === 0) return null;
  return (
    <ul className="problems" aria-label="Problems">
      {shown.evaluation.diagnostics.map((d, i) => (
        <li key={i} className={d.severity} data-doc={d.doc}>
          <span className="where">
            {d.doc} {d.range.startLineNumber}:{d.range.startColumn}
          </span>{' '}
          {d.message}
        </li>
      ))}
    </ul>
  );
}

function diagnosticsByDoc(shown: Shown): Map<string, Diagnostic[]> {
  const map = new Map<string, Diagnostic[]>();
  if (shown.kind !== 'evaluation') return map;
  for (const d of shown.evaluation.diagnostics) {
    const list = map.get(d.doc) ?? [];
    list.push(d);
    map.set(d.doc, list);
  }
  return map;
}

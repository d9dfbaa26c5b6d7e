// Monaco, set up once: the editor core and its standard features, the YAML language with monaco-yaml (its
// worker and the editor worker bundled by Vite: nothing comes from a CDN), and the CEL language. Only the
// playground imports this module, lazily, so the terminal route never downloads Monaco.

// monaco-editor stays at 0.52: from 0.53 `editor.createWebWorker` needs a Worker instance, which monaco-yaml's
// worker manager does not pass, so YAML validation and completion would silently not run.
import 'monaco-editor/esm/vs/editor/edcore.main.js';
import 'monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution.js';
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import { configureMonacoYaml, type SchemasSettings } from 'monaco-yaml';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import YamlWorker from './yaml.worker.ts?worker';
import { registerCelLanguage } from './cel-language.ts';

(globalThis as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker(_moduleId: string, label: string) {
    return label === 'yaml' ? new YamlWorker() : new EditorWorker();
  },
};

const yaml = configureMonacoYaml(monaco, {
  enableSchemaRequest: false,
  hover: true,
  completion: true,
  validate: true,
  format: {},
  schemas: [],
});

registerCelLanguage(monaco);

monaco.editor.defineTheme('porthole-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#0b0e11' },
});

/** Replaces the JSON schemas monaco-yaml validates and completes YAML models with (matched by model URI). */
export function setYamlSchemas(schemas: SchemasSettings[]): void {
  void yaml.update({ schemas });
}

export { monaco };

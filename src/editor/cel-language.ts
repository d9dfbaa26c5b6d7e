// The CEL language for Monaco: tokens (a Monarch grammar after the cel-spec lexis), brackets and auto-closing,
// and completion from the context the page registers for each model.

import type * as Monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import { RESERVED_WORDS } from '../cel/reserved.ts';
import { celSuggestions, type CelCompletionContext } from './cel-completion.ts';

export const CEL_LANGUAGE_ID = 'cel';

type ContextSource = () => CelCompletionContext | Promise<CelCompletionContext>;

const contexts = new Map<string, ContextSource>();

/**
 * The page tells completion what the variables of a model are (asked again at every completion); it may answer
 * later, as the schemas of a Kubernetes version load on first use.
 */
export function setCelCompletionContext(modelUri: string, context: ContextSource): () => void {
  contexts.set(modelUri, context);
  return () => {
    if (contexts.get(modelUri) === context) contexts.delete(modelUri);
  };
}

export function registerCelLanguage(monaco: typeof Monaco): void {
  monaco.languages.register({ id: CEL_LANGUAGE_ID, aliases: ['CEL', 'cel'] });
  monaco.languages.setLanguageConfiguration(CEL_LANGUAGE_ID, {
    comments: { lineComment: '//' },
    brackets: [
      ['(', ')'],
      ['[', ']'],
      ['{', '}'],
    ],
    autoClosingPairs: [
      { open: '(', close: ')' },
      { open: '[', close: ']' },
      { open: '{', close: '}' },
      { open: '"', close: '"', notIn: ['string'] },
      { open: "'", close: "'", notIn: ['string'] },
    ],
    surroundingPairs: [
      { open: '(', close: ')' },
      { open: '[', close: ']' },
      { open: '"', close: '"' },
      { open: "'", close: "'" },
    ],
  });
  monaco.languages.setMonarchTokensProvider(CEL_LANGUAGE_ID, {
    keywords: ['true', 'false', 'null', 'in'],
    reserved: RESERVED_WORDS,
    operators: ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '?', ':'],
    symbols: /[=><!~?:&|+\-*/%]+/,
    tokenizer: {
      root: [
        [/[rR]?[bB]?[rR]?"""/, 'string', '@tripleDouble'],
        [/[rR]?[bB]?[rR]?'''/, 'string', '@tripleSingle'],
        [/[rR][bB]?"[^"\n]*"|[bB][rR]"[^"\n]*"/, 'string'],
        [/[rR][bB]?'[^'\n]*'|[bB][rR]'[^'\n]*'/, 'string'],
        [/[bB]?"/, 'string', '@double'],
        [/[bB]?'/, 'string', '@single'],
        [/0x[0-9a-fA-F]+[uU]?/, 'number.hex'],
        [/\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+/, 'number.float'],
        [/\d+[uU]?/, 'number'],
        [
          /[A-Za-z_][A-Za-z0-9_]*/,
          { cases: { '@keywords': 'keyword', '@reserved': 'invalid', '@default': 'identifier' } },
        ],
        [/\/\/.*$/, 'comment'],
        [/[()[\]{}]/, '@brackets'],
        [/@symbols/, { cases: { '@operators': 'operator', '@default': '' } }],
        [/[.,]/, 'delimiter'],
        [/\s+/, 'white'],
      ],
      double: [
        [/[^\\"]+/, 'string'],
        [/\\./, 'string.escape'],
        [/"/, 'string', '@pop'],
      ],
      single: [
        [/[^\\']+/, 'string'],
        [/\\./, 'string.escape'],
        [/'/, 'string', '@pop'],
      ],
      tripleDouble: [
        [/"""/, 'string', '@pop'],
        [/[^"]+|"/, 'string'],
      ],
      tripleSingle: [
        [/'''/, 'string', '@pop'],
        [/[^']+|'/, 'string'],
      ],
    },
  });
  monaco.languages.registerCompletionItemProvider(CEL_LANGUAGE_ID, {
    triggerCharacters: ['.'],
    async provideCompletionItems(model, position) {
      const context = (await contexts.get(model.uri.toString())?.()) ?? { variables: {} };
      const textBefore = model.getValueInRange({
        startLineNumber: 1,
        startColumn: 1,
        endLineNumber: position.lineNumber,
        endColumn: position.column,
      });
      const word = model.getWordUntilPosition(position);
      const range = {
        startLineNumber: position.lineNumber,
        endLineNumber: position.lineNumber,
        startColumn: word.startColumn,
        endColumn: word.endColumn,
      };
      const kinds = {
        variable: monaco.languages.CompletionItemKind.Variable,
        field: monaco.languages.CompletionItemKind.Field,
        function: monaco.languages.CompletionItemKind.Function,
        macro: monaco.languages.CompletionItemKind.Keyword,
      };
      return {
        suggestions: celSuggestions(textBefore, context).map((s, i) => ({
          label: s.label,
          kind: kinds[s.kind],
          insertText: s.label,
          range,
          sortText: String(i).padStart(4, '0'),
          ...(s.detail ? { detail: s.detail } : {}),
          ...(s.documentation ? { documentation: s.documentation } : {}),
        })),
      };
    },
  });
}

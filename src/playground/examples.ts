// The examples gallery's shape, shared by every page: a named, complete starting state.

import type { PlaygroundState } from './state.ts';

export interface PlaygroundExample {
  id: string;
  title: string;
  /** One sentence: what it shows, and what the result will be. */
  summary: string;
  docs: PlaygroundState['docs'];
  options: PlaygroundState['options'];
}

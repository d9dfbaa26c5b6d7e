// The live loop's page side: every new request goes to the worker after a short pause in typing; only the
// answer to the latest request is shown, and the previous answer stays on screen until it comes (no flicker).

import { useEffect, useRef, useState } from 'react';
import type { PageEvaluation, PlaygroundRequest } from '../evaluation.ts';
import { createPlaygroundClient, type PlaygroundClient } from '../worker/client.ts';

/** Long enough to batch a burst of keystrokes, short enough not to be felt. */
export const DEBOUNCE_MS = 25;

export type Shown =
  | { kind: 'none' }
  | { kind: 'evaluation'; evaluation: PageEvaluation }
  | { kind: 'failure'; message: string; timedOut: boolean };

export interface LiveEvaluation {
  shown: Shown;
  /** A newer request than the shown answer is on its way. */
  pending: boolean;
  /** Increases with each answer shown (the benchmark and tests wait on it). */
  answered: number;
}

export function useEvaluation(request: PlaygroundRequest): LiveEvaluation {
  const client = useRef<PlaygroundClient | null>(null);
  const latest = useRef(0);
  const [live, setLive] = useState<LiveEvaluation>({ shown: { kind: 'none' }, pending: true, answered: 0 });

  useEffect(() => {
    client.current = createPlaygroundClient();
    return () => {
      client.current?.close();
      client.current = null;
    };
  }, []);

  useEffect(() => {
    const sequence = ++latest.current;
    // Marked pending only from inside the timer callback: no extra render for every keystroke.
    const timer = setTimeout(() => {
      setLive((l) => (l.pending ? l : { ...l, pending: true }));
      void client.current?.evaluate(request).then((response) => {
        if (sequence !== latest.current) return;
        const shown: Shown =
          'failure' in response
            ? { kind: 'failure', message: response.failure, timedOut: response.timedOut ?? false }
            : { kind: 'evaluation', evaluation: response };
        setLive((l) => ({ shown, pending: false, answered: l.answered + 1 }));
      });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [request]);

  return live;
}

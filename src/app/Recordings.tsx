// Recorded shells (`porthole serve --record-dir`): the list, and a player that replays one in xterm.js at its own
// pace (pause, 1×/2×/4×, from the start), resizing as the terminal did.

import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { parseAsciicast, type AsciicastEvent } from '../terminal/asciicast.ts';
import { ApiError, getJSON } from './api.ts';
import { navigate } from './router.ts';

interface RecordingInfo {
  name: string;
  bytes: number;
  title: string;
  start: string;
}

export function Recordings({ name }: { name?: string }) {
  return name ? <Player name={name} /> : <RecordingList />;
}

function RecordingList() {
  const [state, setState] = useState<{ list?: RecordingInfo[]; error?: string }>({});
  useEffect(() => {
    const abort = new AbortController();
    getJSON<{ recordings: RecordingInfo[] }>('/porthole/api/recordings', abort.signal)
      .then((r) => setState({ list: r.recordings }))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setState({ error: e instanceof ApiError ? e.message : String(e) });
      });
    return () => abort.abort();
  }, []);
  if (state.error)
    return (
      <p className="banner error" role="alert" data-field="recordings-error">
        {state.error}
      </p>
    );
  if (!state.list) return <p className="checking">Loading the recordings…</p>;
  if (state.list.length === 0) return <p>No recorded shells yet.</p>;
  return (
    <table className="recordings" data-field="recordings">
      <thead>
        <tr>
          <th>Shell</th>
          <th>Started</th>
          <th>Size</th>
        </tr>
      </thead>
      <tbody>
        {state.list.map((r) => (
          <tr key={r.name}>
            <td>
              <a
                href={`/recordings/${encodeURIComponent(r.name)}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/recordings/${encodeURIComponent(r.name)}`);
                }}
              >
                {r.title}
              </a>
            </td>
            <td>{new Date(r.start).toLocaleString()}</td>
            <td>{(r.bytes / 1024).toFixed(1)} KiB</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const SPEEDS = [1, 2, 4];

function Player({ name }: { name: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  const [title, setTitle] = useState(name);
  const [speed, setSpeed] = useState(1);
  const [playing, setPlaying] = useState(true);
  const [generation, setGeneration] = useState(0);
  const [events, setEvents] = useState<{ list: AsciicastEvent[]; width: number; height: number }>();
  const [position, setPosition] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    fetch(`/porthole/api/recordings/${encodeURIComponent(name)}`, { credentials: 'same-origin', signal: abort.signal })
      .then(async (r) => {
        const text = await r.text();
        if (!r.ok) throw new Error((JSON.parse(text) as { error?: string }).error ?? `HTTP ${r.status}`);
        const parsed = parseAsciicast(text);
        if (!parsed.ok) throw new Error(`this recording cannot be replayed: ${parsed.message}`);
        setTitle(parsed.header.title ?? name);
        setEvents({ list: parsed.events, width: parsed.header.width, height: parsed.header.height });
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [name]);

  // One terminal per replay from the start; events are written on a timer from `position` on.
  const term = useRef<Terminal | undefined>(undefined);
  useEffect(() => {
    if (!events || !host.current) return;
    const t = new Terminal({ cols: events.width, rows: events.height, disableStdin: true, scrollback: 5000 });
    t.open(host.current);
    term.current = t;
    setPosition(0);
    return () => {
      t.dispose();
      term.current = undefined;
    };
  }, [events, generation]);

  useEffect(() => {
    if (!events || !playing || position >= events.list.length) return;
    const previous = position === 0 ? 0 : events.list[position - 1]!.at;
    const delay = Math.max(0, ((events.list[position]!.at - previous) * 1000) / speed);
    const timer = setTimeout(
      () => {
        const e = events.list[position]!;
        if (e.kind === 'o') term.current?.write(e.text);
        else term.current?.resize(e.cols, e.rows);
        setPosition(position + 1);
      },
      Math.min(delay, 2000),
    ); // a long pause in the session plays as at most 2 s
    return () => clearTimeout(timer);
  }, [events, playing, position, speed, generation]);

  const done = !!events && position >= events.list.length;
  return (
    <div className="recording-player" data-field="player" data-state={done ? 'done' : playing ? 'playing' : 'paused'}>
      <p>
        <a
          href="/recordings"
          onClick={(e) => {
            e.preventDefault();
            navigate('/recordings');
          }}
        >
          All recordings
        </a>{' '}
        · <strong>{title}</strong>
      </p>
      {error ? (
        <p className="banner error" role="alert" data-field="player-error">
          {error}
        </p>
      ) : (
        <>
          <div className="controls">
            <button type="button" onClick={() => setPlaying(!playing)} disabled={done}>
              {playing ? 'Pause' : 'Play'}
            </button>
            <button
              type="button"
              onClick={() => {
                setGeneration(generation + 1);
                setPlaying(true);
              }}
            >
              From the start
            </button>
            {SPEEDS.map((s) => (
              <button key={s} type="button" aria-pressed={speed === s} onClick={() => setSpeed(s)}>
                {s}×
              </button>
            ))}
            <span className="muted">
              {events ? `${position}/${events.list.length} events${done ? ', done' : ''}` : 'loading…'}
            </span>
          </div>
          <div className="player-terminal" ref={host} />
        </>
      )}
    </div>
  );
}

// GET /porthole/api/recordings (the logged-in user's recordings, newest first) and
// GET /porthole/api/recordings/<name> (one asciicast file). Someone else's recording is a 404, like a missing one.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, sendJson } from './http.ts';
import type { RecordingStore } from './recording.ts';

export function serveRecordings(
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
  who: string | undefined,
  store: RecordingStore | undefined,
): void {
  if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    return sendError(res, 405, `${route} accepts GET only`);
  }
  if (who === undefined) return sendError(res, 401, 'not logged in');
  if (!store)
    return sendError(res, 404, 'shell recording is off: start Porthole with --record-dir DIR to record shells');
  if (route === '/recordings') {
    const list = store.list(who).map((r) => ({
      name: r.name,
      bytes: r.bytes,
      title: r.header.title,
      start: new Date(r.header.timestamp * 1000).toISOString(),
      width: r.header.width,
      height: r.header.height,
    }));
    return sendJson(res, 200, { recordings: list });
  }
  const name = decodeURIComponent(route.slice('/recordings/'.length));
  const text = store.read(name, who);
  if (text === undefined) return sendError(res, 404, `no recording named ${JSON.stringify(name)}`);
  res.writeHead(200, { 'Content-Type': 'application/x-asciicast', 'Cache-Control': 'no-store' });
  res.end(text);
}

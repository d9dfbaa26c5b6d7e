// The page a browser lands on when an OpenID Connect login fails at the callback: a navigation, so a person reads
// it, not the app. Plain HTML without script (the CSP allows none inline), the message escaped, and a way back.

import type { ServerResponse } from 'node:http';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function sendLoginFailure(res: ServerResponse, status: number, message: string): void {
  const body = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Login failed · Porthole</title></head>',
    '<body><main>',
    '<h1>Login failed</h1>',
    `<p role="alert">${escapeHtml(message)}</p>`,
    '<p><a href="/">Back to Porthole</a></p>',
    '</main></body></html>',
    '',
  ].join('\n');
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

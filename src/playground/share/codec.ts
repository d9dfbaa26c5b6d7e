// Share links: the whole playground state in the URL fragment (`#s=1.<payload>`), never sent to a server.
// payload = base64url(deflate-raw(UTF-8 JSON)). Decoding trusts nothing: the link's length, the compressed size
// and the decompressed size are capped (inflation stops as soon as the output passes the cap, so a bomb costs
// at most the cap), every field is checked against the page's known fields, unknown keys are dropped, and the
// keys `__proto__`, `constructor` and `prototype` are never copied anywhere.

import { Inflate, deflateSync, strFromU8, strToU8 } from 'fflate';
import { fromBase64url, toBase64url } from './base64url.ts';
import {
  PAGE_FIELDS,
  PLAYGROUND_PAGES,
  KUBE_VERSIONS,
  isKubeVersion,
  isPlaygroundPage,
  type PlaygroundState,
} from '../state.ts';

export const SHARE_FORMAT = 1;
export const FRAGMENT_PREFIX = `s=${SHARE_FORMAT}.`;
/** Characters of the whole fragment; base64 of MAX_COMPRESSED_BYTES fits. */
export const MAX_LINK_CHARS = 200_000;
export const MAX_COMPRESSED_BYTES = 144 * 1024;
export const MAX_DECOMPRESSED_BYTES = 2 * 1024 * 1024;
/** Inflate input fed in slices this small, so one slice can never expand past the cap by much (deflate ≤ 1032:1). */
const INFLATE_SLICE = 1024;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type DecodeResult = { ok: true; state: PlaygroundState; dropped: string[] } | { ok: false; error: string };

/** The fragment (without `#`) for a state. */
export function encodeShareFragment(state: PlaygroundState): string {
  const json = JSON.stringify({
    page: state.page,
    version: state.version,
    docs: state.docs,
    options: state.options,
  });
  return FRAGMENT_PREFIX + toBase64url(deflateSync(strToU8(json), { level: 9 }));
}

/** True when a fragment is meant as a share link (of any format), so the page should try to open it. */
export function isShareFragment(fragment: string): boolean {
  return /^#?s=/.test(fragment);
}

export function decodeShareFragment(fragment: string): DecodeResult {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text.length > MAX_LINK_CHARS) {
    return fail(`the link is too long (${text.length} characters; the limit is ${MAX_LINK_CHARS})`);
  }
  const format = /^s=(\d+)\./.exec(text);
  if (!format) return fail('the link is not a Porthole share link (expected #s=1.…)');
  if (format[1] !== String(SHARE_FORMAT)) {
    return fail(`the link uses share format ${format[1]}, and this Porthole reads format ${SHARE_FORMAT}`);
  }
  const compressed = fromBase64url(text.slice(format[0].length));
  if (!compressed) return fail('the link is damaged: its payload is not base64url');
  if (compressed.length > MAX_COMPRESSED_BYTES) {
    return fail(`the link's payload is too large (${compressed.length} bytes; the limit is ${MAX_COMPRESSED_BYTES})`);
  }
  const inflated = inflateCapped(compressed, MAX_DECOMPRESSED_BYTES);
  if (!inflated.ok) return inflated;
  let value: unknown;
  try {
    value = JSON.parse(strFromU8(inflated.bytes));
  } catch {
    return fail('the link is damaged: its content is not JSON');
  }
  return checkState(value);
}

function fail(reason: string): { ok: false; error: string } {
  return { ok: false, error: `Cannot open this share link: ${reason}.` };
}

function inflateCapped(input: Uint8Array, cap: number): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let over = false;
  let ended = false;
  const inflate = new Inflate((chunk, final) => {
    size += chunk.length;
    if (size > cap) over = true;
    else chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < input.length && !over; i += INFLATE_SLICE) {
      const end = Math.min(i + INFLATE_SLICE, input.length);
      inflate.push(input.subarray(i, end), end === input.length);
    }
  } catch {
    return fail('the link is damaged or cut short: its compressed data is invalid');
  }
  if (over) {
    return fail(`its content expands past ${cap / (1024 * 1024)} MiB, so Porthole stopped reading it`);
  }
  if (!ended) return fail('the link is cut short: its compressed data ends early');
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return { ok: true, bytes };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkState(value: unknown): DecodeResult {
  if (!isRecord(value)) return fail('its content is not an object');
  const dropped: string[] = [];
  for (const key of Object.keys(value)) {
    if (!['page', 'version', 'docs', 'options'].includes(key)) dropped.push(key);
  }
  const { page, version } = value;
  if (!isPlaygroundPage(page)) return fail(`"page" must be one of ${PLAYGROUND_PAGES.join(', ')}`);
  if (!isKubeVersion(version)) return fail(`"version" must be one of ${KUBE_VERSIONS.join(', ')}`);
  const fields = PAGE_FIELDS[page];

  const docs: Record<string, string> = {};
  if (value.docs !== undefined) {
    if (!isRecord(value.docs)) return fail('"docs" must be an object of texts');
    for (const [name, text] of Object.entries(value.docs)) {
      if (FORBIDDEN_KEYS.has(name) || !fields.docs.includes(name)) {
        dropped.push(`docs.${name}`);
        continue;
      }
      if (typeof text !== 'string') return fail(`"docs.${name}" must be text`);
      docs[name] = text;
    }
  }

  const options: Record<string, string> = {};
  if (value.options !== undefined) {
    if (!isRecord(value.options)) return fail('"options" must be an object of texts');
    for (const [name, option] of Object.entries(value.options)) {
      const allowed = FORBIDDEN_KEYS.has(name) ? undefined : fields.options[name];
      if (allowed === undefined) {
        dropped.push(`options.${name}`);
        continue;
      }
      if (typeof option !== 'string' || option.length > 200) return fail(`"options.${name}" must be short text`);
      if (allowed !== 'text' && !allowed.includes(option)) {
        return fail(`"options.${name}" must be one of ${allowed.join(', ')}`);
      }
      options[name] = option;
    }
  }
  return { ok: true, state: { page, version, docs, options }, dropped };
}

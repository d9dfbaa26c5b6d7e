// Channel-3 decoding, row by row against client-go's errorDecoderV4 (what kubectl prints after `error: `).
import { describe, expect, it } from 'vitest';
import { goJsonSyntaxError, goQuote } from './go-json.ts';
import { decodeErrorChannel } from './status.ts';
import type { ExecResult } from './types.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const exitStatus = (causes: string) =>
  `{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: x","reason":"NonZeroExitCode","details":{"causes":${causes}}}`;
const protocolError = (message: string): ExecResult => ({ kind: 'protocol-error', message });

describe('decodeErrorChannel', () => {
  it.each<[string, string, ExecResult]>([
    ['v5/v4 success', '{"metadata":{},"status":"Success"}', { kind: 'success' }],
    ['keys match case-insensitively, as json.Unmarshal does', '{"Status":"Success"}', { kind: 'success' }],
    [
      'exit code 3',
      exitStatus('[{"reason":"ExitCode","message":"3"}]'),
      { kind: 'exit', exitCode: 3, message: 'command terminated with exit code 3' },
    ],
    [
      'exit code 255 (uint8 maximum)',
      exitStatus('[{"reason":"ExitCode","message":"255"}]'),
      { kind: 'exit', exitCode: 255, message: 'command terminated with exit code 255' },
    ],
    [
      'the ExitCode cause need not be first',
      exitStatus('[{"reason":"Other","message":"x"},{"reason":"ExitCode","message":"007"}]'),
      { kind: 'exit', exitCode: 7, message: 'command terminated with exit code 7' },
    ],
    [
      'exit code 256',
      exitStatus('[{"reason":"ExitCode","message":"256"}]'),
      protocolError('error stream protocol error: invalid exit code value "256"'),
    ],
    [
      'negative exit code',
      exitStatus('[{"reason":"ExitCode","message":"-1"}]'),
      protocolError('error stream protocol error: invalid exit code value "-1"'),
    ],
    [
      'exit code with a space',
      exitStatus('[{"reason":"ExitCode","message":" 3"}]'),
      protocolError('error stream protocol error: invalid exit code value " 3"'),
    ],
    [
      'no ExitCode cause',
      exitStatus('[{"reason":"Other","message":"3"}]'),
      protocolError('error stream protocol error: no ExitCode cause given'),
    ],
    [
      'no details',
      '{"metadata":{},"status":"Failure","reason":"NonZeroExitCode"}',
      protocolError('error stream protocol error: details must be set'),
    ],
    [
      'InternalError keeps reason, message and code',
      '{"metadata":{},"status":"Failure","message":"Internal error occurred: exec: \\"bash\\": executable file not found in $PATH","reason":"InternalError","code":500}',
      {
        kind: 'failure',
        reason: 'InternalError',
        message: 'Internal error occurred: exec: "bash": executable file not found in $PATH',
        code: 500,
      },
    ],
    [
      'a failure without reason or code',
      '{"status":"Failure","message":"boom"}',
      { kind: 'failure', reason: '', message: 'boom' },
    ],
    ['an unknown status value', '{"status":"Pending"}', protocolError('error stream protocol error: unknown error')],
    ['JSON null', 'null', protocolError('error stream protocol error: unknown error')],
    [
      'not JSON',
      'this is not json',
      protocolError(
        "error stream protocol error: invalid character 'h' in literal true (expecting 'r') in \"this is not json\"",
      ),
    ],
    [
      'truncated JSON',
      '{"status":"Succ',
      protocolError('error stream protocol error: unexpected end of JSON input in "{\\"status\\":\\"Succ"'),
    ],
    [
      'a JSON array',
      '[]',
      protocolError(
        'error stream protocol error: json: cannot unmarshal array into Go value of type v1.Status in "[]"',
      ),
    ],
    [
      'a number where a string belongs',
      '{"status":5}',
      protocolError(
        'error stream protocol error: json: cannot unmarshal number into Go struct field Status.status of type string in "{\\"status\\":5}"',
      ),
    ],
    [
      'a type error deep inside details',
      '{"details":{"causes":[{"reason":5}]}}',
      protocolError(
        'error stream protocol error: json: cannot unmarshal number into Go struct field StatusCause.details.causes.reason of type v1.CauseType in "{\\"details\\":{\\"causes\\":[{\\"reason\\":5}]}}"',
      ),
    ],
    [
      'a code that does not fit int32',
      '{"code":3000000000}',
      protocolError(
        'error stream protocol error: json: cannot unmarshal number 3000000000 into Go struct field Status.code of type int32 in "{\\"code\\":3000000000}"',
      ),
    ],
    [
      'metadata that is not an object',
      '{"metadata":5}',
      protocolError(
        'error stream protocol error: json: cannot unmarshal number into Go struct field Status.metadata of type v1.ListMeta in "{\\"metadata\\":5}"',
      ),
    ],
  ])('%s', (_name, input, expected) => {
    expect(decodeErrorChannel(bytes(input))).toEqual(expected);
  });
});

// Every expected string in this file was checked against Go 1.26's encoding/json (json.Unmarshal into a copy of
// metav1.Status's field types) wrapped in client-go's "error stream protocol error: %v in %q".
describe('Go JSON syntax errors (encoding/json scanner wording)', () => {
  it.each<[string, string | null]>([
    ['{"a":[1,2.5e-3,true,false,null,"\\u00e9\\n"]}', null],
    ['  {}  ', null],
    ['', 'unexpected end of JSON input'],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['nul', "invalid character ' ' in literal null (expecting 'l')"],
    ['[tr', "invalid character ' ' in literal true (expecting 'u')"],
    ['{"a":1', 'unexpected end of JSON input'],
    ['"abc', 'unexpected end of JSON input'],
    ['[-', "invalid character ' ' in numeric literal"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b"}', "invalid character '\"' after object key:value pair"],
    ['{1:2}', "invalid character '1' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{} x', "invalid character 'x' after top-level value"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['-a', "invalid character 'a' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1e+', "invalid character ' ' in exponent of numeric literal"],
    ['1.', "invalid character ' ' after decimal point in numeric literal"],
    ['truex', "invalid character 'x' after top-level value"],
    ["'", "invalid character '\\'' looking for beginning of value"],
  ])('%j', (input, expected) => {
    expect(goJsonSyntaxError(bytes(input))).toBe(expected);
  });

  it('quotes like Go %q', () => {
    expect(goQuote('a"b\\c\n\x01\x7fé')).toBe('"a\\"b\\\\c\\n\\x01\\x7fé"');
    expect(goQuote('\u2028\u00a0 ')).toBe('"\\u2028\\u00a0 "');
  });
});

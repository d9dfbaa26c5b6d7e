// Kubernetes' format library (1.31+, library/format.go): named validators whose messages are apimachinery's
// validation strings. `validate` returns optional.none() when valid, else optional.of(list of messages).

import { func, method, type Library } from '../decls.ts';
import { OpaqueValue, OptionalValue, type Value } from '../values.ts';
import { parseRequestURI } from './urls.ts';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const DNS1035 = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QNAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const full = (re: string) => new RegExp(`^(?:${re})$`);

const maxLen = (n: number) => `must be no more than ${n} characters`;
const regexError = (msg: string, re: string, ...examples: string[]) =>
  `${msg} (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, regex used for validation is '${re}')`;

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QNAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function dns1123Label(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 63) errs.push(maxLen(63));
  if (!full(LABEL).test(s)) errs.push(regexError(LABEL_MSG, LABEL, 'my-name', '123-abc'));
  return errs;
}
function dns1123Subdomain(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 253) errs.push(maxLen(253));
  if (!full(SUBDOMAIN).test(s)) errs.push(regexError(SUBDOMAIN_MSG, SUBDOMAIN, 'example.com'));
  return errs;
}
function dns1035Label(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 63) errs.push(maxLen(63));
  if (!full(DNS1035).test(s)) errs.push(regexError(DNS1035_MSG, DNS1035, 'my-name', 'abc-123'));
  return errs;
}
function qualifiedName(s: string): string[] {
  const errs: string[] = [];
  const parts = s.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QNAME_MSG, QNAME, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (name.length && !full(QNAME).test(name))
    errs.push(`name part ${regexError(QNAME_MSG, QNAME, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}
function labelValue(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 63) errs.push(maxLen(63));
  if (!full(LABEL_VALUE).test(s)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE, 'MyValue', 'my_value', '12345'));
  return errs;
}
/** Prefix forms (generateName): a trailing '-' is allowed. */
const prefixed = (f: (s: string) => string[]) => (s: string) => f(s.endsWith('-') ? s.slice(0, -1) + 'a' : s);

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function validDateTime(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/.exec(s);
  if (!m || !validDate(m[1]!)) return false;
  const [h, mi, sec] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (h > 23 || mi > 59 || sec > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return false;
  return true;
}

const FORMATS: Record<string, (s: string) => string[]> = {
  dns1123Label,
  dns1123Subdomain,
  dns1035Label,
  qualifiedName,
  dns1123LabelPrefix: prefixed(dns1123Label),
  dns1123SubdomainPrefix: prefixed(dns1123Subdomain),
  dns1035LabelPrefix: prefixed(dns1035Label),
  labelValue,
  uri: (s) => {
    try {
      parseRequestURI(s);
      return [];
    } catch (e) {
      // Go's url.Error text, as apimachinery returns it.
      return [`parse ${JSON.stringify(s)}: ${(e as Error).message}`];
    }
  },
  uuid: (s) => (UUID.test(s) ? [] : ['does not match the UUID format']),
  byte: (s) => (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) ? [] : ['invalid base64']),
  date: (s) => (validDate(s) ? [] : ['invalid date']),
  datetime: (s) => (validDateTime(s) ? [] : ['invalid datetime']),
};

export class NamedFormat extends OpaqueValue {
  readonly typeName = 'kubernetes.NamedFormat';
  constructor(readonly name: string) {
    super();
  }
  equals(o: OpaqueValue): boolean {
    return o instanceof NamedFormat && o.name === this.name;
  }
  toJSON(): string {
    return this.name;
  }
}

export const formatLibrary: Library = {
  name: 'kubernetes format',
  introduced: 31,
  overloads: [
    func('format.named', ['string'], 'optional_type(kubernetes.NamedFormat)', ([n]) =>
      (n as string) in FORMATS ? OptionalValue.of(new NamedFormat(n as string)) : OptionalValue.none,
    ),
    ...Object.keys(FORMATS).map((name) =>
      func(`format.${name}`, [], 'kubernetes.NamedFormat', () => new NamedFormat(name)),
    ),
    method('kubernetes.NamedFormat', 'validate', ['string'], 'optional_type(list(string))', ([f, s]) => {
      const errs = FORMATS[(f as NamedFormat).name]!(s as string);
      return errs.length ? OptionalValue.of(Object.freeze(errs) as Value) : OptionalValue.none;
    }),
  ],
};

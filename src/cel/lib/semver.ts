// Kubernetes' semver library (1.33+, library/semverlib.go) with blang/semver's strict parsing; `normalize`
// strips a leading v, pads missing minor/patch and drops leading zeros first.

import { func, method, type Library } from '../decls.ts';
import { OpaqueValue, fail, type Value } from '../values.ts';

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string[];
  build: string[];
}

const NUM = /^(0|[1-9][0-9]*)$/;
const ALNUM = /^[0-9A-Za-z-]+$/;

function parseStrict(s: string): Version | string {
  if (s === '') return 'Version string empty';
  const plus = s.indexOf('+');
  const main = plus >= 0 ? s.slice(0, plus) : s;
  const build = plus >= 0 ? s.slice(plus + 1).split('.') : [];
  const dash = main.indexOf('-');
  const core = dash >= 0 ? main.slice(0, dash) : main;
  const pre = dash >= 0 ? main.slice(dash + 1).split('.') : [];
  const parts = core.split('.');
  if (parts.length !== 3) return 'No Major.Minor.Patch elements found';
  const names = ['Major', 'Minor', 'Patch'];
  for (let i = 0; i < 3; i++) {
    const p = parts[i]!;
    if (!/^[0-9]+$/.test(p)) return `Invalid character(s) found in ${names[i]!.toLowerCase()} number "${p}"`;
    if (p.length > 1 && p.startsWith('0')) return `${names[i]} number must not contain leading zeroes "${p}"`;
  }
  for (const p of pre) {
    if (p === '') return 'Prerelease is empty';
    if (!ALNUM.test(p)) return `Invalid character(s) found in prerelease "${p}"`;
    if (/^[0-9]+$/.test(p) && !NUM.test(p)) return `Numeric PreRelease version must not contain leading zeroes "${p}"`;
  }
  for (const b of build) if (!ALNUM.test(b)) return `Invalid character(s) found in build meta data "${b}"`;
  return { major: BigInt(parts[0]!), minor: BigInt(parts[1]!), patch: BigInt(parts[2]!), pre, build };
}

function normalize(s: string): string {
  let v = s.startsWith('v') ? s.slice(1) : s;
  const m = /^([0-9.]*)(.*)$/.exec(v)!;
  const nums = m[1]!.split('.').filter((x, i, a) => !(x === '' && i === a.length - 1));
  while (nums.length < 3) nums.push('0');
  v = nums.map((n) => (/^[0-9]+$/.test(n) ? String(BigInt(n)) : n)).join('.') + m[2]!;
  return v;
}

export class SemverValue extends OpaqueValue {
  readonly typeName = 'kubernetes.Semver';
  constructor(readonly v: Version) {
    super();
  }
  compare(o: SemverValue): number {
    for (const k of ['major', 'minor', 'patch'] as const) if (this.v[k] !== o.v[k]) return this.v[k] < o.v[k] ? -1 : 1;
    const a = this.v.pre;
    const b = o.v.pre;
    if (!a.length || !b.length) return a.length === b.length ? 0 : a.length ? -1 : 1;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const [x, y] = [a[i]!, b[i]!];
      const [nx, ny] = [NUM.test(x), NUM.test(y)];
      if (nx && ny) {
        if (BigInt(x) !== BigInt(y)) return BigInt(x) < BigInt(y) ? -1 : 1;
      } else if (nx !== ny) return nx ? -1 : 1;
      else if (x !== y) return x < y ? -1 : 1;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  equals(o: OpaqueValue): boolean {
    return o instanceof SemverValue && this.compare(o) === 0;
  }
  toJSON(): string {
    const v = this.v;
    return `${v.major}.${v.minor}.${v.patch}${v.pre.length ? '-' + v.pre.join('.') : ''}${v.build.length ? '+' + v.build.join('.') : ''}`;
  }
}

function semver(s: string, norm: boolean): SemverValue {
  const r = parseStrict(norm ? normalize(s) : s);
  if (typeof r === 'string') return fail(r);
  return new SemverValue(r);
}
const isSemver = (s: string, norm: boolean) => typeof parseStrict(norm ? normalize(s) : s) !== 'string';
const sv = (v: Value) => v as SemverValue;

export const semverLibrary: Library = {
  name: 'kubernetes semver',
  introduced: 33,
  overloads: [
    func('semver', ['string'], 'kubernetes.Semver', ([s]) => semver(s as string, false)),
    func('semver', ['string', 'bool'], 'kubernetes.Semver', ([s, n]) => semver(s as string, n as boolean)),
    func('isSemver', ['string'], 'bool', ([s]) => isSemver(s as string, false)),
    func('isSemver', ['string', 'bool'], 'bool', ([s, n]) => isSemver(s as string, n as boolean)),
    method('kubernetes.Semver', 'major', [], 'int', ([v]) => sv(v!).v.major),
    method('kubernetes.Semver', 'minor', [], 'int', ([v]) => sv(v!).v.minor),
    method('kubernetes.Semver', 'patch', [], 'int', ([v]) => sv(v!).v.patch),
    method('kubernetes.Semver', 'isGreaterThan', ['kubernetes.Semver'], 'bool', ([a, b]) => sv(a!).compare(sv(b!)) > 0),
    method('kubernetes.Semver', 'isLessThan', ['kubernetes.Semver'], 'bool', ([a, b]) => sv(a!).compare(sv(b!)) < 0),
    method('kubernetes.Semver', 'compareTo', ['kubernetes.Semver'], 'int', ([a, b]) => BigInt(sv(a!).compare(sv(b!)))),
  ],
};

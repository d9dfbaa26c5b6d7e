// `jsonpatch.escapeKey` (MutatingAdmissionPolicy JSONPatch mutations): RFC 6901 escaping of one path segment.

import { func, type Library } from '../decls.ts';

export const jsonPatchLibrary: Library = {
  name: 'jsonpatch',
  introduced: 0,
  overloads: [
    func('jsonpatch.escapeKey', ['string'], 'string', ([s]) => (s as string).replace(/~/g, '~0').replace(/\//g, '~1')),
  ],
};

// The AuthenticationConfiguration core: load, validate, authenticate, as kube-apiserver 1.30–1.34 does.

export { loadAuthenticationConfiguration, registeredVersions, type LoadResult } from './load.ts';
export {
  validateAuthenticationConfiguration,
  validateJWTAuthenticator,
  type ValidationError,
  type ValidationResult,
  type ValidateOptions,
} from './validate.ts';
export {
  authenticate,
  effective,
  CREDENTIAL_ID_KEY,
  type AuthenticateInput,
  type AuthenticateResult,
  type TraceStep,
} from './authenticate.ts';
export { runAuthnRequest, type AuthnRequest, type AuthnResponse } from './run.ts';
export { checkJwks, SUPPORTED_ALGORITHMS, MAX_TOKEN_BYTES, encodeRawURL } from './jwt.ts';
export * from './types.ts';

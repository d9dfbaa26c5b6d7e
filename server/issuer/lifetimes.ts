// The time limits every part of the issuer agrees on (token-broker-security §0.2, §2.1 "Key rotation", §4.4).
// One place, because the key ring's retention depends on the minter's lifetime: an old public key must stay
// published for as long as any token it signed can still be accepted somewhere.

/** Longest lifetime of a minted token (`exp − iat`): spec §0.2 and the cluster-side claimValidationRule. */
export const MAX_TOKEN_LIFETIME_SECONDS = 300;

/** `nbf` is backdated this much so a cluster whose clock runs a little behind still accepts a fresh token. */
export const NOT_BEFORE_BACKDATE_SECONDS = 30;

/** How far a cluster's clock may run behind ours: a token may be accepted until `exp` on *its* clock. */
export const CLOCK_SKEW_SECONDS = 60;

/**
 * How long a superseded key stays in the JWKS after it stopped signing: the longest token lifetime plus the
 * clock skew (spec §2.1 rotation step 3). After that no token it signed can be valid anywhere.
 */
export const RETIRED_KEY_RETENTION_SECONDS = MAX_TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS;

/**
 * The JWKS `Cache-Control: max-age`. kube-apiserver (go-oidc) ignores it and refetches on an unknown `kid`, but
 * caching verifiers (jose's createRemoteJWKSet, proxies) keep a copy this long; rotation pre-publishes a new key
 * at least this long before it signs, so they have it by then (spec §2.1 rotation step 1).
 */
export const JWKS_MAX_AGE_SECONDS = 60;

/** Default wait between publishing a rotated key and signing with it. */
export const DEFAULT_PRE_PUBLISH_SECONDS = JWKS_MAX_AGE_SECONDS;

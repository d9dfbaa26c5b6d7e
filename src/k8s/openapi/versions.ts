/** The Kubernetes minors whose built-in schemas are bundled (src/k8s/openapi/data/<minor>.json). */
export const OPENAPI_VERSIONS = ['1.30', '1.31', '1.32', '1.33', '1.34'] as const;
export type KubernetesVersion = (typeof OPENAPI_VERSIONS)[number];

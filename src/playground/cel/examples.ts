// Starting points for the CEL scratch page. The first is what a new page opens with. Each one is evaluated by
// examples.test.ts, so a title never promises what the expression does not do.

import type { PlaygroundExample } from '../examples.ts';

const deployment = `object:
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: shop
    labels:
      app: web
  spec:
    replicas: 3
    template:
      spec:
        containers:
          - name: web
            image: registry.example.com/shop/web:1.4.2
            resources:
              limits:
                memory: 512Mi
          - name: log-shipper
            image: docker.io/fluent/fluent-bit
`;

export const CEL_EXAMPLES: readonly PlaygroundExample[] = [
  {
    id: 'replicas-limit',
    title: 'Replicas limit',
    summary: 'A validation: at most 5 replicas. True for this Deployment.',
    docs: { expression: 'object.spec.replicas <= 5', vars: deployment, variables: '' },
    options: { env: 'validation' },
  },
  {
    id: 'registry',
    title: 'Images from our registry only',
    summary: 'A validation over every container: false, the log shipper comes from docker.io.',
    docs: {
      expression: "object.spec.template.spec.containers.all(c, c.image.startsWith('registry.example.com/'))",
      vars: deployment,
      variables: '',
    },
    options: { env: 'validation' },
  },
  {
    id: 'untagged-images',
    title: 'Composited variables: untagged images',
    summary: 'spec.variables as a policy writes them; lists the images without a tag.',
    docs: {
      expression: "variables.images.filter(i, !i.substring(i.lastIndexOf('/')).contains(':'))",
      vars: deployment,
      variables: `- name: images
  expression: object.spec.template.spec.containers.map(c, c.image)
`,
    },
    options: { env: 'mutation' },
  },
  {
    id: 'memory-quantity',
    title: 'Quantities',
    summary: "The quantity library: is the first container's memory limit under 1Gi? True.",
    docs: {
      expression:
        "quantity(object.spec.template.spec.containers[0].resources.limits.memory).isLessThan(quantity('1Gi'))",
      vars: deployment,
      variables: '',
    },
    options: { env: 'validation' },
  },
  {
    id: 'optional-owner',
    title: 'Optional fields',
    summary: "`.?` and `[?]` with orValue: the owner annotation, or 'nobody' when it is missing.",
    docs: {
      expression: "object.?metadata.?annotations[?'owner'].orValue('nobody')",
      vars: deployment,
      variables: '',
    },
    options: { env: 'mutation' },
  },
  {
    id: 'email-domain',
    title: 'Authentication claims',
    summary: 'A claimValidationRule-style check on a token’s claims: a verified address at example.com.',
    docs: {
      expression: "claims.email_verified == true && claims.email.endsWith('@example.com')",
      vars: `claims:
  iss: https://issuer.example.com
  sub: "1234"
  email: jane@example.com
  email_verified: true
`,
      variables: '',
    },
    options: { env: 'authn' },
  },
  {
    id: 'division-by-zero',
    title: 'A runtime error',
    summary: 'Dividing by zero: the error text kube-apiserver gives.',
    docs: { expression: 'object.spec.replicas / 0', vars: deployment, variables: '' },
    options: { env: 'mutation' },
  },
];

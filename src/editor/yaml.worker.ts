// monaco-yaml's language worker, re-exported from our own file so Vite bundles it as a worker of its own
// (importing monaco-yaml's file directly with `?worker` breaks its foreign-module loading under Vite).
import 'monaco-yaml/yaml.worker.js';

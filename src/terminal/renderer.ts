// Which xterm.js renderer to run. WebGL is fastest on a real GPU, but a software WebGL (SwiftShader, llvmpipe:
// headless Chromium, VMs, GPU-less desktops) rasterizes on the CPU and moved ~1 MB/s where the DOM renderer moved
// 4–5 MB/s (terminal-performance.md, lesson 1). So the choice reads what the browser really has.

export type RendererKind = 'webgl' | 'dom';

export interface RendererChoice {
  kind: RendererKind;
  /** Why, in words a person can check: the unmasked GL renderer string, or why WebGL is unavailable. */
  reason: string;
}

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen/i;

/** Pure: decide from the unmasked renderer string (null when WebGL2 is unavailable). */
export function chooseRenderer(glRenderer: string | null): RendererChoice {
  if (glRenderer === null) return { kind: 'dom', reason: 'WebGL2 is not available' };
  if (SOFTWARE_RENDERERS.test(glRenderer)) {
    return { kind: 'dom', reason: `WebGL is software-rendered (${glRenderer}), slower than the DOM renderer` };
  }
  return { kind: 'webgl', reason: `GPU: ${glRenderer}` };
}

let probed: string | null | undefined;

/** The unmasked WebGL2 renderer string of this browser, probed once on a throwaway canvas. */
export function probeGlRenderer(): string | null {
  if (probed !== undefined) return probed;
  probed = null;
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2');
    if (gl) {
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
      probed = typeof renderer === 'string' ? renderer : 'unknown';
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    probed = null;
  }
  return probed;
}

/** `?renderer=dom|webgl` in the page URL overrides the choice (for benchmarks and bug reports). */
export function rendererOverride(search: string): RendererKind | null {
  const value = new URLSearchParams(search).get('renderer');
  return value === 'dom' || value === 'webgl' ? value : null;
}

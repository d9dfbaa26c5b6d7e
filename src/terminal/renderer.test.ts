import { describe, expect, it } from 'vitest';
import { chooseRenderer, rendererOverride } from './renderer.ts';

describe('chooseRenderer', () => {
  const cases: Array<{ gl: string | null; want: 'webgl' | 'dom' }> = [
    { gl: null, want: 'dom' },
    { gl: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', want: 'dom' },
    { gl: 'llvmpipe (LLVM 15.0.6, 256 bits)', want: 'dom' },
    { gl: 'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)', want: 'webgl' },
    { gl: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)', want: 'webgl' },
    { gl: 'Apple M2', want: 'webgl' },
  ];
  for (const c of cases) {
    it(`${c.gl ?? 'no WebGL2'} → ${c.want}`, () => {
      const choice = chooseRenderer(c.gl);
      expect(choice.kind).toBe(c.want);
      if (c.gl) expect(choice.reason).toContain(c.gl);
    });
  }
});

describe('rendererOverride', () => {
  it('reads ?renderer=dom|webgl and ignores anything else', () => {
    expect(rendererOverride('?renderer=dom')).toBe('dom');
    expect(rendererOverride('?x=1&renderer=webgl')).toBe('webgl');
    expect(rendererOverride('?renderer=canvas')).toBe(null);
    expect(rendererOverride('')).toBe(null);
  });
});

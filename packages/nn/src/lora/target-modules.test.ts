import { describe, expect, it } from 'vitest';
import { matchesModulePattern } from './target-modules.js';

describe('matchesModulePattern (PEFT check_target_module_exists)', () => {
  const attn = 'transformer.h.0.attn.c_attn';
  const proj = 'transformer.h.0.attn.c_proj';
  const mlpProj = 'transformer.h.0.mlp.c_proj';

  it('matches a list entry exactly or as the last dotted parts of the path', () => {
    expect(matchesModulePattern(attn, ['c_attn'])).toBe(true);
    expect(matchesModulePattern(attn, ['attn.c_attn'])).toBe(true);
    expect(matchesModulePattern('lm_head', ['lm_head'])).toBe(true);
    expect(matchesModulePattern(proj, ['c_proj']) && matchesModulePattern(mlpProj, ['c_proj'])).toBe(true);
    expect(matchesModulePattern(proj, ['mlp.c_proj'])).toBe(false);
    // a suffix must start at a dot: 'attn' names transformer.h.0.attn, not …c_attn
    expect(matchesModulePattern(attn, ['attn'])).toBe(false);
    expect(matchesModulePattern('transformer.h.0.attn', ['attn'])).toBe(true);
    expect(matchesModulePattern(attn, [])).toBe(false);
  });

  it('full-matches a string as a regular expression', () => {
    expect(matchesModulePattern(mlpProj, String.raw`.*\.mlp\.c_proj`)).toBe(true);
    expect(matchesModulePattern(proj, String.raw`.*\.mlp\.c_proj`)).toBe(false);
    expect(matchesModulePattern(attn, 'c_attn')).toBe(false); // not a search: the whole path must match
    expect(matchesModulePattern(attn, String.raw`.*h\.[01]\..*c_attn|lm_head`)).toBe(true);
    expect(matchesModulePattern('transformer.h.2.attn.c_attn', String.raw`.*h\.[01]\..*c_attn|lm_head`)).toBe(
      false,
    );
    expect(matchesModulePattern('lm_head', String.raw`.*h\.[01]\..*c_attn|lm_head`)).toBe(true);
  });

  it('names an invalid regular expression', () => {
    expect(() => matchesModulePattern(attn, '(c_attn')).toThrow(/invalid regular expression '\(c_attn'/);
  });
});

import { describe, expect, it } from 'vitest';
import { codeOnly, privateInstanceFields } from './private-fields.js';

describe('privateInstanceFields', () => {
  it('finds initialised, bare and accessor-backed fields, not methods, statics or uses', () => {
    class Sample {
      #a = 1;
      #b: number;
      static #s = 2;
      constructor() {
        this.#b = this.#a + Sample.#s;
      }
      #m() {
        return this.#b;
      }
      get #g() {
        return this.#m();
      }
      has(x: object) {
        return #a in x && this.#g > 0;
      }
    }
    expect(new Sample().has({})).toBe(false);
    expect(privateInstanceFields(Sample)).toEqual(['a', 'b']);
  });

  it('finds nothing in a class without private fields, or in a native function', () => {
    class Plain {
      value = '#notAField';
    }
    expect(privateInstanceFields(Plain)).toEqual([]);
    expect(privateInstanceFields(Map)).toEqual([]);
  });
});

describe('codeOnly', () => {
  it('blanks comments, strings, template text and regular expressions, keeping the code of template placeholders', () => {
    const source = [
      'a = "#s1" + \'#s2\'; // #c1',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, on purpose
      '/* #c2 */ b = `#t1 ${ {x: `#t2 ${#inner}`}.x } #t3`;',
      'c = /#r1[/]"/.test(d) ? e / f / g : #code;',
    ].join('\n');
    const code = codeOnly(source);
    expect(code.length).toBe(source.length);
    expect(code.match(/#\w+/g)).toEqual(['#inner', '#code']);
    expect(code.split('\n')[2]).toContain('e / f / g');
  });

  it('treats / after a keyword as a regular expression and after a value as division', () => {
    expect(codeOnly('return /#x/;').match(/#\w+/g)).toBeNull();
    expect(codeOnly('a = b / #x / c;').match(/#\w+/g)).toEqual(['#x']);
  });

  it('keeps escaped quotes and backticks inside their literals', () => {
    expect(codeOnly('s = "a\\"#x"; t = `\\`#y`; #z').match(/#\w+/g)).toEqual(['#z']);
  });
});

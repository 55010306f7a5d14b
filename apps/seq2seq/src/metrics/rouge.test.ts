import { describe, expect, it } from 'vitest';
import { lcsLength, rouge, rougeTokens } from './rouge.js';

// Expected values are those of Google's rouge-score package tests (rouge/rouge_scorer_test.py in
// google-research), the last two from manual runs of the official ROUGE-1.5.5 on its test data.
describe('rouge (rouge-score test cases)', () => {
  it('testRouge1: "testing one two" vs "testing"', () => {
    expect(rouge('testing one two', 'testing').rouge1).toEqual({
      precision: 1,
      recall: 1 / 3,
      fmeasure: 1 / 2,
    });
  });

  it('testRouge2 and testRougeLConsecutive: "testing one two" vs "testing one"', () => {
    const scores = rouge('testing one two', 'testing one');
    expect(scores.rouge2.precision).toBeCloseTo(1, 12);
    expect(scores.rouge2.recall).toBeCloseTo(1 / 2, 12);
    expect(scores.rouge2.fmeasure).toBeCloseTo(2 / 3, 12);
    expect(scores.rougeL.precision).toBeCloseTo(1, 12);
    expect(scores.rougeL.recall).toBeCloseTo(2 / 3, 12);
    expect(scores.rougeL.fmeasure).toBeCloseTo(4 / 5, 12);
    expect(scores.rouge1.fmeasure).toBeCloseTo(4 / 5, 12);
  });

  it('testRougeLNonConsecutive: "testing one two" vs "testing two"', () => {
    const { rougeL } = rouge('testing one two', 'testing two');
    expect([rougeL.precision, rougeL.recall, rougeL.fmeasure]).toEqual([1, 2 / 3, 0.8]);
  });

  it('testRougeEmpty: an empty prediction scores 0', () => {
    for (const s of Object.values(rouge('testing one two', '')))
      expect(s).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
  });

  // rouge/testdata/target.txt and prediction.txt, first two lines (random strings that test the
  // tokenizer: punctuation splits tokens, case is folded).
  const targets = [
    "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L",
    "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
  ];
  const predictions = [
    "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi",
    "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
  ];
  const expected = [
    {
      rouge1: [0.40741, 0.6875, 0.51163],
      rouge2: [0.30769, 0.53333, 0.39024],
      rougeL: [0.40741, 0.6875, 0.51163],
    },
    { rouge1: [0.40476, 0.65385, 0.5], rouge2: [0.29268, 0.48, 0.36364], rougeL: [0.40476, 0.65385, 0.5] },
  ];

  it('testRouge{1,2,L}AgainstRouge155: agrees with ROUGE-1.5.5 to 5 decimals', () => {
    expected.forEach((want, i) => {
      const got = rouge(targets[i]!, predictions[i]!);
      for (const key of ['rouge1', 'rouge2', 'rougeL'] as const) {
        const [recall, precision, fmeasure] = want[key];
        expect(got[key].recall).toBeCloseTo(recall!, 5);
        expect(got[key].precision).toBeCloseTo(precision!, 5);
        expect(got[key].fmeasure).toBeCloseTo(fmeasure!, 5);
      }
    });
  });
});

describe('rougeTokens and lcsLength', () => {
  it("tokenize as rouge-score's tokenizer", () => {
    expect(rougeTokens("Don't PANIC!  [ILUG] re-install, v2.0")).toEqual([
      'don',
      't',
      'panic',
      'ilug',
      're',
      'install',
      'v2',
      '0',
    ]);
    expect(rougeTokens('café')).toEqual(['caf']);
  });

  it('LCS of the rouge-score testLcsTable example', () => {
    expect(lcsLength([1, 2, 3, 4, 5], [2, 5, 3, 4])).toBe(3);
    expect(lcsLength([1, 2, 3, 4, 5], [8, 9])).toBe(0);
  });
});

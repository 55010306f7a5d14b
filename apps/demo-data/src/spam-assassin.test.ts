import { describe, expect, it } from 'vitest';
import { splitOf } from './hash-split.js';
import { spamAssassin, stripReplyMarkers } from './spam-assassin.js';

describe('stripReplyMarkers', () => {
  it('removes reply and forward markers, also after a list tag', () => {
    expect(stripReplyMarkers('Re: RE: [ILUG] Sun Solaris..')).toBe('[ILUG] Sun Solaris..');
    expect(stripReplyMarkers('[zzzzteana] Re: Alexander')).toBe('[zzzzteana] Alexander');
    expect(stripReplyMarkers('FW: Fwd: news')).toBe('news');
    expect(stripReplyMarkers('Re:')).toBe('');
    expect(stripReplyMarkers('Regarding: x')).toBe('Regarding: x');
  });
});

describe('spamAssassin', () => {
  const corpus = spamAssassin();
  const kept = [...corpus.train, ...corpus.valid, ...corpus.test];

  it('keeps or counts every one of the 6,046 emails', () => {
    const { emptySubject, replyOnlySubject, emptyBody } = corpus.dropped;
    expect(kept.length + emptySubject + replyOnlySubject + emptyBody).toBe(6046);
    expect(corpus.dropped).toEqual({ emptySubject: 19, replyOnlySubject: 10, emptyBody: 36 });
  });

  it('splits deterministically, disjointly, about 90/5/5, by the body', () => {
    expect(spamAssassin()).toEqual(corpus);
    expect(new Set(kept.map((e) => e.id)).size).toBe(kept.length);
    expect(corpus.train.length / kept.length).toBeCloseTo(0.9, 1);
    expect(corpus.test.length / kept.length).toBeGreaterThan(0.04);
    expect(corpus.valid.length / kept.length).toBeGreaterThan(0.04);
    for (const split of ['train', 'valid', 'test'] as const)
      for (const email of corpus[split]) expect(splitOf(email.body)).toBe(split);
    // identical bodies never straddle two splits
    const splitOfBody = new Map<string, string>();
    for (const split of ['train', 'valid', 'test'] as const)
      for (const { body } of corpus[split]) {
        expect(splitOfBody.get(body) ?? split).toBe(split);
        splitOfBody.set(body, split);
      }
  });

  it('has subjects without headers or reply markers, and plain-text bodies', () => {
    const first = kept.find((e) => e.id === 'easy-ham-1/00001')!;
    expect(first.subject).toBe('New Sequences Window'); // "Re: New Sequences Window" in the message
    expect(first.body.startsWith('Date:        Wed, 21 Aug 2002')).toBe(true); // the quoted message
    expect(first.body).not.toContain('X-Mailman-Version');
    expect(first.spam).toBe(false);
    for (const e of kept) expect(e.subject).not.toMatch(/^(re|fwd?):/i);
    expect(kept.filter((e) => e.spam).length).toBeGreaterThan(1500);
  });
});

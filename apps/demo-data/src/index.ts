export { mobyDickText, sotuText } from './books.js';
export { type CmudictEntry, cmudict, cmudictEntries, stripStress } from './cmudict.js';
export { decodeEncodedWords, htmlToText, type ParsedEmail, parseEmail } from './email.js';
export { ErrorRateCounter, type ErrorRates, editDistance } from './error-rates.js';
export { fnv1a32, type SplitName, type Splits, splitBy, splitOf } from './hash-split.js';
export {
  joinNumberTokens,
  NUMBER_LANGUAGES,
  type NumberLanguage,
  type NumberPair,
  type NumberWordsCorpus,
  type NumberWordsOptions,
  numberTokens,
  numberToWords,
  numberWords,
} from './number-words.js';
export { type Email, type SpamAssassinCorpus, spamAssassin, stripReplyMarkers } from './spam-assassin.js';

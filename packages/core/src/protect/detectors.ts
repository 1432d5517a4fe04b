/**
 * Detectors find secrets and personal data by their shape, wherever they appear in a string value,
 * whatever the key. Compiled once per logger into one function: one regular expression made of
 * every enabled detector's trigger looks at each string once, and only strings it fires on are
 * searched by the detectors' own, costlier patterns.
 */
import { createHmac } from 'node:crypto';
import { definedOnly, optionError } from '../option-check';
import { isCardNumber } from './redaction';

export type DetectorName = 'card' | 'jwt' | 'bearer' | 'awsAccessKey' | 'privateKey' | 'email' | 'phone';

/** `mask` keeps the last four characters (`****1234`); `remove` drops the value; `hash` puts a keyed pseudonym that stays joinable; `false` turns the detector off. */
export type DetectorAction = 'mask' | 'remove' | 'hash' | false;

/** Defaults: secrets are masked; personal data detectors (e-mail, phone) are opt-in. */
export const DEFAULT_DETECTORS: Readonly<Record<DetectorName, DetectorAction>> = {
  card: 'mask',
  jwt: 'mask',
  bearer: 'mask',
  awsAccessKey: 'mask',
  privateKey: 'remove',
  email: false,
  phone: false,
};

interface Detector {
  name: DetectorName;
  /** Cheap test (regular expression source): the pattern can only match where this one does. */
  trigger: string;
  pattern: RegExp;
  /** The secret part of a match (a bearer token without the word `Bearer`); default the whole match. */
  secret?(match: RegExpExecArray): { value: string; prefix: string };
  /** Extra check on a candidate found at `text[start]` (Luhn and context for card numbers). */
  valid?(value: string, text: string, start: number): boolean;
}

const DETECTORS: readonly Detector[] = [
  {
    name: 'privateKey',
    trigger: '-----BEGIN',
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/g,
  },
  {
    name: 'jwt',
    trigger: 'eyJ',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{8,}/g,
  },
  {
    name: 'bearer',
    trigger: 'earer|EARER',
    // Any length: a short credential is still a credential (RFC 6750 b64token characters).
    pattern: /\b(bearer\s+)([A-Za-z0-9\-._~+/]+=*)/gi,
    secret: (m) => ({ prefix: m[1]!, value: m[2]! }),
  },
  {
    name: 'awsAccessKey',
    trigger: 'AKIA|ASIA',
    pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  },
  {
    name: 'card',
    // 13 digits, optionally grouped: the least a card number has. Written out: V8 runs the
    // unrolled form about twice as fast as `\d(?:[ -]?\d){12}`.
    trigger: `\\d${'[ -]?\\d'.repeat(12)}`,
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    valid: isCardNumber,
  },
  {
    name: 'email',
    trigger: '@',
    pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g,
  },
  {
    name: 'phone',
    trigger: '[+(]',
    // International (+CC ...) or North American ((555) 123-4567) forms only: bare digit runs are
    // ids, amounts and timestamps far more often than phone numbers.
    pattern:
      /(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){2,4}|\(\d{3}\) ?\d{3}-\d{4})\b/g,
  },
];

export interface DetectorOptions {
  detectors?: Partial<Record<DetectorName, DetectorAction>>;
  /** HMAC-SHA256 key for the `hash` action. */
  hashKey?: string | Buffer;
}

/** Bearer credentials shorter than this are masked whole: four characters would be too much of them. */
const BEARER_TAIL_MIN = 16;

function mask(name: DetectorName, value: string): string {
  if (name === 'privateKey') return '[REDACTED PRIVATE KEY]';
  if (name === 'bearer' && value.length < BEARER_TAIL_MIN) return '****';
  const tail = name === 'card' || name === 'phone' ? value.replace(/\D/g, '').slice(-4) : value.slice(-4);
  return `****${tail}`;
}

/** Shortest string each detector can match: shorter strings are not scanned at all. */
const MIN_LENGTH: Record<DetectorName, number> = {
  card: 13,
  jwt: 30,
  bearer: 8,
  awsAccessKey: 20,
  privateKey: 60,
  email: 6,
  phone: 10,
};

export interface CompiledDetectors {
  detect(text: string): string;
  minLength: number;
}

/** Compiles the enabled detectors into one string transform, or undefined when none is on. */
export function compileDetectors(options: DetectorOptions): CompiledDetectors | undefined {
  // Names and actions were checked with the rest of `redact` (option-shapes.ts).
  const actions = { ...DEFAULT_DETECTORS, ...definedOnly(options.detectors) };
  const needsKey = Object.values(actions).includes('hash');
  if (needsKey && (options.hashKey === undefined || options.hashKey.length < 16))
    throw optionError(
      'createAuditLogger',
      'redact.hashKey',
      'at least 16 bytes when a detector action is "hash"',
      options.hashKey,
    );
  const active = DETECTORS.filter((d) => actions[d.name] !== false);
  if (active.length === 0) return undefined;
  const replace = (d: Detector, value: string): string => {
    const action = actions[d.name];
    if (action === 'remove') return `[REMOVED ${d.name}]`;
    if (action === 'hash') {
      const digest = createHmac('sha256', options.hashKey!).update(`${d.name}:${value}`).digest('hex');
      return `[${d.name}:${digest.slice(0, 16)}]`;
    }
    return mask(d.name, value);
  };
  const triggers = active.map((d) => new RegExp(d.trigger));
  // One scan of each string for all triggers: most strings hold none, and stop here.
  const anyTrigger = new RegExp(active.map((d) => d.trigger).join('|'));
  const detect = (text: string): string => {
    if (!anyTrigger.test(text)) return text;
    let out = text;
    for (let i = 0; i < active.length; i++) {
      const d = active[i]!;
      if (!triggers[i]!.test(out)) continue;
      d.pattern.lastIndex = 0;
      const text = out;
      out = out.replace(d.pattern, (...args: unknown[]) => {
        const match = args as unknown as RegExpExecArray;
        const { value, prefix } = d.secret ? d.secret(match) : { value: match[0], prefix: '' };
        // No pattern has named groups, so the replacer's last two arguments are offset and text.
        if (d.valid && !d.valid(value, text, args[args.length - 2] as number)) return match[0];
        return prefix + replace(d, value);
      });
    }
    return out;
  };
  return { detect, minLength: Math.min(...active.map((d) => MIN_LENGTH[d.name])) };
}

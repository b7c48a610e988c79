/**
 * The facts behind a decision as the API shows them (policy/types.ts `Because` and `Match`), beside the sentences
 * src/explain makes of them: for scripts that want the facts, and so that nobody parses a sentence.
 */
import { Type } from 'typebox';
import { GROUND_STEPS, LOST_BECAUSE } from '../policy/types.js';
import { ActionSchema, KindSchema, StringEnum } from './schemas.js';

const EntryFactsSchema = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  prefix: Type.Boolean(),
  kind: KindSchema,
  vip: Type.Boolean(),
  createdAt: Type.Integer(),
  label: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.Integer()),
});

const HitFactsSchema = Type.Object({
  listId: Type.Integer(),
  listName: Type.String(),
  entryId: Type.Integer(),
  number: Type.String(),
  prefix: Type.Boolean(),
  score: Type.Number(),
  threshold: Type.Number(),
  label: Type.Optional(Type.String()),
  live: Type.Optional(
    Type.Boolean({
      description: 'PhoneBlock answered for this caller during the call (CALLFILTER_PHONEBLOCK_LIVE); entryId is 0.',
    }),
  ),
});

export const BecauseSchema = Type.Object(
  {
    grounds: Type.Object(
      {
        step: StringEnum(GROUND_STEPS, {
          description: 'The policy step that decided (local: a short number read while the home area code is unknown).',
        }),
        extension: Type.Optional(Type.String()),
        digits: Type.Optional(Type.String()),
        entry: Type.Optional(EntryFactsSchema),
        contact: Type.Optional(Type.Boolean()),
        hit: Type.Optional(HitFactsSchema),
        e164: Type.Optional(Type.String()),
        country: Type.Optional(Type.String()),
        error: Type.Optional(Type.String({ description: 'fail-open: why no decision could be made.' })),
      },
      { description: 'What the deciding step saw.' },
    ),
    schedule: Type.Optional(Type.String({ description: 'The schedule whose action for the step applied.' })),
    repeat: Type.Optional(
      Type.Object(
        { calls: Type.Integer(), windowMinutes: Type.Integer() },
        { description: 'Connected as a repeat caller.' },
      ),
    ),
    quiet: Type.Optional(
      Type.Object({ schedule: Type.String() }, { description: 'Quiet hours turned a connect into voicemail.' }),
    ),
    monitor: Type.Optional(
      Type.Object(
        { action: ActionSchema, cause: Type.Optional(Type.Integer()), announcement: Type.Optional(Type.String()) },
        { description: 'Monitor mode connected it; what the policy would have done.' },
      ),
    ),
  },
  { description: 'The facts behind the decision.' },
);

export const MatchSchema = Type.Object({
  entry: Type.Optional(EntryFactsSchema),
  contact: Type.Optional(Type.Boolean()),
  hit: Type.Optional(HitFactsSchema),
  wins: Type.Boolean({ description: 'This entry or list hit decided.' }),
  lost: Type.Optional(StringEnum(LOST_BECAUSE, { description: 'Why it did not decide.' })),
});

export const MatchesSchema = Type.Array(MatchSchema, {
  description:
    'Every personal entry and list hit that matched the caller: the one that decided first, then the others with why they did not.',
});

export const LangQuery = StringEnum(['de', 'en'] as const, {
  description: 'Language of the sentences (default: CALLFILTER_LANGUAGE).',
});

/**
 * The API's requests and replies as TypeScript types, derived from the TypeBox schemas the routes
 * validate with and OpenAPI publishes. The dashboard's client is typed with these, so a reply
 * that changes shape fails the dashboard's type check.
 */
import type { Static } from '@sinclair/typebox';
import type {
  AlertReply,
  EventQuery,
  EventReply,
  EventsPage,
  EventsQuery,
  ManifestReply,
  ProofReply,
  RetentionReply,
  StatsQuery,
  StatsReply,
} from './schemas';

export type EventsQueryT = Static<typeof EventsQuery>;
export type EventsPageT = Static<typeof EventsPage>;
export type EventQueryT = Static<typeof EventQuery>;
export type EventReplyT = Static<typeof EventReply>;
export type StatsQueryT = Static<typeof StatsQuery>;
export type StatsReplyT = Static<typeof StatsReply>;
export type ProofReplyT = Static<typeof ProofReply>;
export type RetentionReplyT = Static<typeof RetentionReply>;
export type ManifestReplyT = Static<typeof ManifestReply>;
export type AlertReplyT = Static<typeof AlertReply>;
export type { IntegrityReplyT } from './schemas';

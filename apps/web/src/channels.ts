/**
 * The kinds of message a unit's channel can take (消息渠道), in the order the API lists them (`MESSAGE_KINDS` in the
 * domain; test/architecture/message-kinds.spec.ts holds the two together). Each has its label `takes.<kind>`.
 */
export const MESSAGE_KINDS = [
  'reminder',
  'escalation',
  'assigned',
  'reassigned_away',
  'sent_back',
  'extension_approved',
  'extension_refused',
  'reopened',
  'submitted',
  'extension_requested',
  'digest',
  'bulletin',
] as const;

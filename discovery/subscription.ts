// Listening to the experts topic: every announcement is checked before gossipsub forwards it; rejected ones are
// counted by reason (and lower the sender's gossipsub score), accepted ones are handed on.
import { checkAnnouncement, type RejectionReason, type ValidAnnouncement, type Verifier } from "./announcement.ts"
import { EXPERTS_TOPIC } from "./topics.ts"

/** What listening needs of a libp2p node. */
export interface SubscribingNode {
  readonly subscribe: (
    topic: string,
    validate: (publisher: string, data: Uint8Array) => Promise<"accept" | "reject" | "ignore">,
    deliver: (publisher: string, data: Uint8Array) => void
  ) => void
}

export const watchAnnouncements = (
  node: SubscribingNode,
  verify: Verifier,
  accepted: (announcement: ValidAnnouncement, data: Uint8Array) => void
) => {
  const rejected: Record<RejectionReason, number> = { oversized: 0, malformed: 0, forged: 0 }
  node.subscribe(
    EXPERTS_TOPIC,
    async (publisher, data) => {
      const check = await checkAnnouncement(publisher, data, verify)
      if (!check.ok) {
        rejected[check.reason]++
        return "reject"
      }
      // gossipsub validates each message once (duplicates are dropped before), so this runs once per announcement.
      accepted(check.announcement, data)
      return "accept"
    },
    () => undefined
  )
  return { rejected: (): Readonly<Record<RejectionReason, number>> => ({ ...rejected }) }
}

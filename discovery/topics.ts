/** Gossipsub topic of expert manifests and heartbeats. A breaking change of the announcement format is a new topic. */
export const EXPERTS_TOPIC = "mesh/experts/1"

/** DHT key under which every expert of one tokenizer family provides itself. */
export const familyKey = (tokenizerHash: string): string => `mesh/family/1/${tokenizerHash}`

/** Announcements larger than this are rejected unread (a manifest is about 400 bytes). */
export const MAX_ANNOUNCEMENT_BYTES = 8192

// An expert as a generation sees it, and the check that a hand-picked set shares one tokenizer.
import type { ExpertManifest } from "../proto/messages.ts"
import { TokenizerMismatchError } from "./errors.ts"

export interface ExpertHandle {
  readonly peerId: string
  /** What to dial: the peer id once its addresses are known to the node, or a full multiaddr. */
  readonly address: string
  readonly manifest: ExpertManifest
}

/** The one tokenizer hash all experts share, or a TokenizerMismatchError that names the experts on each side. */
export const commonTokenizer = (experts: ReadonlyArray<ExpertHandle>): string => {
  const first = experts[0]
  if (first === undefined) throw new TokenizerMismatchError({ message: "no experts given" })
  const other = experts.find((expert) => expert.manifest.tokenizerHash !== first.manifest.tokenizerHash)
  if (other !== undefined) {
    const describe = (expert: ExpertHandle) =>
      `${expert.manifest.modelName} at ${expert.address} (tokenizer ${expert.manifest.tokenizerHash.slice(0, 12)})`
    throw new TokenizerMismatchError({
      message: `experts with different tokenizers cannot be mixed: ${describe(first)} and ${describe(other)}`
    })
  }
  return first.manifest.tokenizerHash
}

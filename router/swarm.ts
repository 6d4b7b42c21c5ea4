// The experts a router may use: their addresses and manifests, checked to share one tokenizer.
import type { ExpertManifest } from "../proto/messages.ts"
import { TokenizerMismatchError } from "./errors.ts"
import { type Dial, fetchManifest } from "./expert-client.ts"

export interface ExpertHandle {
  readonly peerId: string
  /** What to dial: the peer id once its addresses are known to the node, or a full multiaddr. */
  readonly address: string
  readonly manifest: ExpertManifest
}

/** Asks every expert for its manifest, in parallel. */
export const connectExperts = (dial: Dial, addresses: ReadonlyArray<string>): Promise<ExpertHandle[]> =>
  Promise.all(
    addresses.map(async (address) => ({
      peerId: /\/p2p\/([^/]+)$/.exec(address)?.[1] ?? address,
      address,
      manifest: await fetchManifest(dial, address)
    }))
  )

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

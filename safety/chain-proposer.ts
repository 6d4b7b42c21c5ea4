// Gated actions as on-chain proposals: each one asks the governor to approve exactly that action's hash
// (PhaseRegistry.approveAction). Once the vote passes and the timelock executes it, the approval shows in
// GovernanceState.approvedActions and the controller runs the action.
import type { Account, ChainClients } from "../governance/chain/client.ts"
import { proposeActionApproval } from "../governance/chain/proposals.ts"
import type { Deployment } from "../governance/deployment.ts"
import { canonicalJson } from "./catalog.ts"
import type { Proposer } from "./controller.ts"

export interface ChainProposerConfig {
  readonly clients: ChainClients
  readonly deployment: Deployment
  /** The account that proposes (it needs the governor's proposal threshold in votes). */
  readonly account: Account
}

export const chainProposer = (config: ChainProposerConfig): Proposer => ({
  propose: async (action, hash, reason) => {
    const proposal = await proposeActionApproval(
      config.clients,
      config.deployment,
      config.account,
      hash as `0x${string}`,
      `mesh safety: approve ${canonicalJson(action)} (${reason})`
    )
    return proposal.id.toString()
  }
})

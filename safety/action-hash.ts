// An action's identity on chain: keccak256 of its canonical JSON, the bytes32 an executed proposal approves
// (`approveAction(bytes32)`), so a vote approves exactly one action with exactly its arguments.
import { keccak_256 } from "@noble/hashes/sha3.js"
import type { ActionHash } from "../governance/state.ts"
import { type Action, canonicalJson } from "./catalog.ts"

export const actionHash = (action: Action): ActionHash =>
  `0x${Buffer.from(keccak_256(new TextEncoder().encode(canonicalJson(action)))).toString("hex")}`

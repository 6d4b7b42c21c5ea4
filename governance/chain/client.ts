// The Chain adapter's door to viem: clients for one JSON-RPC endpoint, and the accounts that sign. Nothing outside
// governance/chain/ imports viem.
import {
  type Account,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type Transport,
  type Chain as ViemChain,
  type WalletClient
} from "viem"
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts"
import { ChainError } from "./errors.ts"

/** The well-known development mnemonic of hardhat's (and anvil's) local chains: never holds real value. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk"
/** Chain id of the embedded chain; dev accounts are refused elsewhere. */
export const LOCAL_CHAIN_ID = 31337

export interface ChainClients {
  readonly chain: ViemChain
  readonly publicClient: PublicClient<Transport, ViemChain>
  readonly rpcUrl: string
}

/** How often viem polls (receipts, filters); low, since the chains mesh talks to answer locally or quickly. */
const POLLING_INTERVAL_MS = 50

const describe = (cause: unknown): string =>
  cause instanceof BaseError ? cause.shortMessage : cause instanceof Error ? cause.message : String(cause)

/** A ChainError that names the contract's custom error where the chain gave one. */
export const toChainError = (what: string, cause: unknown): ChainError => {
  if (cause instanceof ChainError) return cause
  if (cause instanceof BaseError) {
    const revert = cause.walk((entry) => entry instanceof ContractFunctionRevertedError)
    if (revert instanceof ContractFunctionRevertedError) {
      const reason = revert.data?.errorName ?? revert.reason ?? "reverted"
      const args = revert.data?.args === undefined ? "" : `(${revert.data.args.map(String).join(", ")})`
      return new ChainError({ message: `${what}: reverted with ${reason}${args}`, reason, cause })
    }
  }
  return new ChainError({ message: `${what}: ${describe(cause)}`, cause })
}

export const chainClients = async (rpcUrl: string, timeoutMs = 5000): Promise<ChainClients> => {
  const transport = http(rpcUrl, { retryCount: 0, timeout: timeoutMs })
  const probe = createPublicClient({ transport })
  let chainId: number
  try {
    chainId = await probe.getChainId()
  } catch (cause) {
    throw toChainError(`cannot reach the chain at ${rpcUrl}`, cause)
  }
  const chain = defineChain({
    id: chainId,
    name: chainId === LOCAL_CHAIN_ID ? "mesh local" : `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } }
  })
  const publicClient = createPublicClient({ chain, transport, pollingInterval: POLLING_INTERVAL_MS })
  return { chain, publicClient, rpcUrl }
}

export const walletClient = (clients: ChainClients, account: Account): WalletClient<Transport, ViemChain, Account> =>
  createWalletClient({
    chain: clients.chain,
    account,
    transport: http(clients.rpcUrl, { retryCount: 0 }),
    pollingInterval: POLLING_INTERVAL_MS
  })

/** Dev account `index` of the development mnemonic (the embedded chain funds the first 20). */
export const devAccount = (index: number): Account => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index })

export const keyAccount = (privateKey: string): Account => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new ChainError({ message: "a private key is 0x followed by 64 hex digits" })
  }
  return privateKeyToAccount(privateKey as Hex)
}

export type { Account }

// What every page of the reference dApp shares: the deployment manifest (fetched at run time, `?manifest=`, default
// ./deployment.json), the chain and its RPC (`?rpc=`), the wallet (an injected EIP-1193 wallet, or on a local chain a
// development key in the URL fragment, `#key=0x…`, never sent to a server), sending a transaction with its status
// shown, and reverts in plain words from the decoded custom error (the package carries every reachable error).
import {
  BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, custom, defineChain, formatUnits,
  http, type Address, type Chain, type Hex, type PublicClient, type TransactionReceipt, type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

interface ManifestEntry { readonly contract?: string; readonly address: Address }
export interface Manifest {
  readonly chainId: number | string; readonly network?: string; readonly contracts: Record<string, ManifestEntry>;
}
interface Eip1193 { request(args: { method: string; params?: unknown }): Promise<unknown> }

/** Chains where the development key of the URL fragment is accepted (anvil, Ape's in-process EVM). */
const LOCAL_CHAINS = new Set([31337, 1337]);

export interface Ctx {
  readonly manifest: Manifest;
  readonly chain: Chain;
  readonly client: PublicClient;
  readonly wallet: WalletClient | undefined;
  readonly account: Address | undefined;
  /** The address of manifest key `key` (throws a one-line error when the manifest lacks it). */
  address(key: string): Address;
  /** Manifest keys whose contract is `contract`, in manifest order. */
  keysOf(contract: string): string[];
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
};
export const show = (id: string, text: string): void => { $(id).textContent = text; };
export const value = (id: string): string => $<HTMLInputElement>(id).value.trim();

/** `ERC20InsufficientAllowance` -> "ERC20 insufficient allowance". */
function words(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2");
  return spaced.charAt(0) + spaced.slice(1).toLowerCase().replace(/\berc(\d+)/g, "ERC$1");
}

/** A revert in plain words: the decoded custom error as a sentence with its named arguments, e.g.
 *  "Refused: insufficient stake (free 0, requested 30). [InsufficientStake]". */
export function describeError(err: unknown): string {
  if (err instanceof BaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      const { errorName, abiItem } = reverted.data;
      const inputs = abiItem && "inputs" in abiItem ? abiItem.inputs : [];
      const args = (reverted.data.args ?? []).map((a, i) => `${inputs[i]?.name || `arg${i}`} ${String(a)}`);
      return `Refused: ${words(errorName)}${args.length ? ` (${args.join(", ")})` : ""}. [${errorName}]`;
    }
    if (reverted instanceof ContractFunctionRevertedError && reverted.signature) {
      return `Refused with an unknown error ${reverted.signature}.`;
    }
    return err.shortMessage;
  }
  return err instanceof Error ? err.message : String(err);
}

export async function connect(page: string): Promise<Ctx> {
  nav(page);
  const params = new URLSearchParams(location.search);
  const manifest = (await (await fetch(params.get("manifest") ?? "./deployment.json")).json()) as Manifest;
  const chainId = Number(manifest.chainId);
  const chain = defineChain({
    id: chainId, name: manifest.network ?? "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [params.get("rpc") ?? "http://127.0.0.1:8545"] } },
  });
  const client = createPublicClient({ chain, transport: http() });
  const devKey = new URLSearchParams(location.hash.slice(1)).get("key") as Hex | null;
  const injected = (window as unknown as { ethereum?: Eip1193 }).ethereum;
  let wallet: WalletClient | undefined;
  if (devKey && LOCAL_CHAINS.has(chainId)) {
    wallet = createWalletClient({ account: privateKeyToAccount(devKey), chain, transport: http() });
  } else if (injected) {
    const [account] = (await injected.request({ method: "eth_requestAccounts" })) as Address[];
    if (account) wallet = createWalletClient({ account, chain, transport: custom(injected) });
  }
  const account = wallet?.account?.address;
  show("network", `Chain ${chainId}, ${account ? `account ${account}` : "read only (no wallet)"}`);
  return {
    manifest, chain, client, wallet, account,
    address(key: string): Address {
      const entry = manifest.contracts[key];
      if (!entry) throw new Error(`the manifest has no ${key}: deploy the suite (make app) and reload`);
      return entry.address;
    },
    keysOf(contract: string): string[] {
      return Object.entries(manifest.contracts).filter(([k, e]) => (e.contract ?? k) === contract).map(([k]) => k);
    },
  };
}

/** Runs `send` (simulate + write, returning the transaction hash), waits for its receipt and shows progress in
 *  #status and a decoded revert in #error. Returns the receipt, or undefined when it failed. */
export async function transact(ctx: Ctx, what: string, send: (wallet: WalletClient & { account: NonNullable<WalletClient["account"]> }) => Promise<Hex>): Promise<TransactionReceipt | undefined> {
  show("error", "");
  const wallet = ctx.wallet;
  if (!wallet?.account) { show("error", "Connect a wallet first."); return undefined; }
  show("status", `${what}…`);
  try {
    const hash = await send(wallet as WalletClient & { account: NonNullable<WalletClient["account"]> });
    const receipt = await ctx.client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${what}: the transaction reverted (${hash})`);
    show("status", `${what}: done in block ${receipt.blockNumber}`);
    return receipt;
  } catch (err) {
    show("status", "");
    show("error", describeError(err));
    return undefined;
  }
}

export const fmt = (amount: bigint, decimals: number, symbol = ""): string =>
  `${Number(formatUnits(amount, decimals)).toLocaleString("en-US", { maximumFractionDigits: 6 })}${symbol ? ` ${symbol}` : ""}`;
export const short = (address: string): string => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** The pages' navigation bar (keeps the query and fragment: the manifest, RPC and development key). */
function nav(current: string): void {
  const bar = document.getElementById("nav");
  if (!bar) return;
  for (const [file, label] of [["index.html", "Provenance"], ["market.html", "Marketplace"], ["emission.html", "Emission"]] as const) {
    const link = document.createElement("a");
    link.href = `./${file}${location.search}${location.hash}`;
    link.textContent = label;
    if (file === current) link.className = "current";
    bar.append(link);
  }
}

/** A table row of cells (text or elements). */
export function row(cells: readonly (string | HTMLElement)[], id?: string): HTMLTableRowElement {
  const tr = document.createElement("tr");
  if (id) tr.id = id;
  for (const cell of cells) {
    const td = document.createElement("td");
    td.append(cell);
    tr.append(td);
  }
  return tr;
}

/** Runs a click handler with `data-idle` "0" on <body> until it (and the refresh it starts) has finished: browser
 *  tests wait for `body[data-idle="1"]`. */
async function busy(handler: () => Promise<unknown>): Promise<void> {
  document.body.dataset["idle"] = "0";
  try {
    await handler();
  } catch (err) {
    show("error", describeError(err));
  } finally {
    document.body.dataset["idle"] = "1";
  }
}

export function onClick(id: string, handler: () => Promise<unknown>): void {
  $(id).addEventListener("click", () => { void busy(handler); });
}

export function button(id: string, label: string, handler: () => Promise<unknown>): HTMLButtonElement {
  const b = document.createElement("button");
  b.id = id;
  b.textContent = label;
  b.addEventListener("click", () => { void busy(handler); });
  return b;
}

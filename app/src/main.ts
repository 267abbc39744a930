// Reference dApp, provenance page: hash a dropped file with WebCrypto SHA-256, show its on-chain record, register it.
// Inputs: @deai/contracts (ABI, enums, decoded errors) and the deployment manifest, fetched at run time
// (`?manifest=` URL, default ./deployment.json) with the node's RPC URL (`?rpc=`). Wallet: an injected EIP-1193
// wallet, or on a local chain a development key passed in the URL fragment (`#key=0x…`, never sent to a server).
import {
  BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, custom, defineChain, http,
  type Address, type Hex, type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  provenanceRegistryAbi, ProvenanceRegistryKind, ProvenanceRegistryKindName, ProvenanceRegistryOrigin,
  ProvenanceRegistryOriginName,
} from "@deai/contracts";

interface ManifestEntry { readonly contract?: string; readonly address: Address }
interface Manifest { readonly chainId: number | string; readonly network?: string; readonly contracts: Record<string, ManifestEntry> }
interface Eip1193 { request(args: { method: string; params?: unknown }): Promise<unknown> }

const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;
const $ = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
};
const show = (id: string, text: string): void => { $(id).textContent = text; };

/** A revert in plain words: the decoded custom error and its arguments (the package carries every reachable error). */
export function describeError(err: unknown): string {
  if (err instanceof BaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      const args = (reverted.data.args ?? []).map((a) => String(a)).join(", ");
      return `The contract refused: ${reverted.data.errorName}(${args})`;
    }
    return err.shortMessage;
  }
  return String(err);
}

async function sha256(file: File): Promise<Hex> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
  return `0x${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function fillSelect(id: string, names: readonly string[], selected: number): void {
  const select = $<HTMLSelectElement>(id);
  names.forEach((name, value) => select.add(new Option(name, String(value), value === selected, value === selected)));
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const manifest = (await (await fetch(params.get("manifest") ?? "./deployment.json")).json()) as Manifest;
  const registry = manifest.contracts["ProvenanceRegistry"]?.address;
  if (!registry) throw new Error("the manifest has no ProvenanceRegistry");
  const chain = defineChain({
    id: Number(manifest.chainId), name: manifest.network ?? "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [params.get("rpc") ?? "http://127.0.0.1:8545"] } },
  });
  const client = createPublicClient({ chain, transport: http() });
  const devKey = new URLSearchParams(location.hash.slice(1)).get("key") as Hex | null;
  const injected = (window as unknown as { ethereum?: Eip1193 }).ethereum;
  let wallet: WalletClient | undefined;
  if (devKey) wallet = createWalletClient({ account: privateKeyToAccount(devKey), chain, transport: http() });
  else if (injected) {
    const [account] = (await injected.request({ method: "eth_requestAccounts" })) as Address[];
    if (account) wallet = createWalletClient({ account, chain, transport: custom(injected) });
  }
  show("network", `Chain ${chain.id}, registry ${registry}, ${wallet?.account ? `account ${wallet.account.address}` : "read only (no wallet)"}`);
  fillSelect("kind", ProvenanceRegistryKindName, ProvenanceRegistryKind.Content);
  fillSelect("origin", ProvenanceRegistryOriginName, ProvenanceRegistryOrigin.Human);

  let current: Hex | undefined;
  const showRecord = async (hash: Hex): Promise<void> => {
    // getRecord reverts NotRegistered for an unknown hash: ask isRegistered first.
    const registered = await client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "isRegistered", args: [hash] });
    const record = registered
      ? await client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "getRecord", args: [hash] })
      : undefined;
    show("record", record
      ? `registered by ${record.creator} at ${new Date(Number(record.registeredAt) * 1000).toISOString()}, ` +
        `${ProvenanceRegistryKindName[record.kind] ?? record.kind}, ${ProvenanceRegistryOriginName[record.origin] ?? record.origin}` +
        `${record.revoked ? ", revoked" : ""}`
      : "not registered");
    $<HTMLButtonElement>("register").disabled = registered || !wallet;
  };
  const onFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    show("error", ""); show("status", "");
    current = await sha256(file);
    show("hash", current);
    await showRecord(current);
  };
  $<HTMLInputElement>("file").addEventListener("change", (e) => void onFile((e.target as HTMLInputElement).files?.[0]));
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); void onFile(e.dataTransfer?.files[0]); });

  $("register").addEventListener("click", async () => {
    if (!current || !wallet?.account) return;
    show("error", ""); show("status", "Sending…");
    try {
      const kind = Number($<HTMLSelectElement>("kind").value);
      const origin = Number($<HTMLSelectElement>("origin").value);
      const { request } = await client.simulateContract({
        account: wallet.account, address: registry, abi: provenanceRegistryAbi, functionName: "register",
        args: [current, kind, origin, ZERO_HASH, []],
      });
      const hash = await wallet.writeContract(request);
      const receipt = await client.waitForTransactionReceipt({ hash });
      show("status", `Registered in block ${receipt.blockNumber} (transaction ${hash})`);
      await showRecord(current);
    } catch (err) {
      show("status", "");
      show("error", describeError(err));
    }
  });
}

main().catch((err: unknown) => show("error", describeError(err)));

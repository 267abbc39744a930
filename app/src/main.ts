// Reference dApp, provenance page: hash a dropped file with WebCrypto SHA-256, show its on-chain record, register it
// directly, or commit to it first (the hash stays hidden) and reveal it once the commitment is old enough.
// Inputs: @deai/contracts (ABI, enums, decoded errors) and the deployment manifest only.
import "./style.css";
import { bytesToHex, type Hex } from "viem";
import {
  provenanceRegistryAbi, ProvenanceRegistryKind, ProvenanceRegistryKindName, ProvenanceRegistryOrigin,
  ProvenanceRegistryOriginName,
} from "@deai/contracts";
import { $, connect, describeError, onClick, show, transact } from "./common";

const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

async function sha256(file: File): Promise<Hex> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer())));
}

function fillSelect(id: string, names: readonly string[], selected: number): void {
  const select = $<HTMLSelectElement>(id);
  names.forEach((name, value) => select.add(new Option(name, String(value), value === selected, value === selected)));
}

const iso = (seconds: bigint): string => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

async function main(): Promise<void> {
  const ctx = await connect("index.html");
  const registry = ctx.address("ProvenanceRegistry");
  fillSelect("kind", ProvenanceRegistryKindName, ProvenanceRegistryKind.Content);
  fillSelect("origin", ProvenanceRegistryOriginName, ProvenanceRegistryOrigin.Human);
  const minAge = await ctx.client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "minCommitAge" });

  let current: Hex | undefined;
  // The salt of a commitment stays in this browser (localStorage) until the reveal: without it the reveal is impossible.
  const saltKey = (hash: Hex): string => `deai-salt:${ctx.account ?? ""}:${hash}`;
  const selected = (): { kind: number; origin: number } =>
    ({ kind: Number($<HTMLSelectElement>("kind").value), origin: Number($<HTMLSelectElement>("origin").value) });

  const showRecord = async (hash: Hex): Promise<void> => {
    // getRecord reverts NotRegistered for an unknown hash: ask isRegistered first.
    const registered = await ctx.client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "isRegistered", args: [hash] });
    const record = registered
      ? await ctx.client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "getRecord", args: [hash] })
      : undefined;
    const recordText = record
      ? `registered by ${record.creator} at ${iso(BigInt(record.registeredAt))}, ` +
        `${ProvenanceRegistryKindName[record.kind] ?? record.kind}, ${ProvenanceRegistryOriginName[record.origin] ?? record.origin}` +
        `${record.revoked ? ", revoked" : ""}`
      : "not registered";
    const salt = localStorage.getItem(saltKey(hash)) as Hex | null;
    let committedAt = 0n;
    if (salt && ctx.account) {
      const commitment = await ctx.client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "commitmentOf", args: [hash, ctx.account, salt] });
      committedAt = BigInt(await ctx.client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "commitTime", args: [commitment] }));
      show("commitment", committedAt ? `${commitment}, committed at ${iso(committedAt)}, revealable from ${iso(committedAt + BigInt(minAge))}` : "revealed");
    } else {
      show("commitment", "none from this browser");
    }
    $<HTMLButtonElement>("register").disabled = registered || !ctx.wallet;
    $<HTMLButtonElement>("commit").disabled = registered || !ctx.wallet || committedAt !== 0n;
    $<HTMLButtonElement>("reveal").disabled = registered || !ctx.wallet || committedAt === 0n;
    show("record", recordText); // last: a browser test waits for it
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

  onClick("register", async () => {
    const hash = current;
    if (!hash) return;
    const { kind, origin } = selected();
    const receipt = await transact(ctx, "Registering", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: registry, abi: provenanceRegistryAbi, functionName: "register", args: [hash, kind, origin, ZERO_HASH, []] })).request));
    if (receipt) show("status", `Registered in block ${receipt.blockNumber} (transaction ${receipt.transactionHash})`);
    await showRecord(hash);
  });
  onClick("commit", async () => {
    const hash = current;
    if (!hash || !ctx.account) return;
    const salt = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    localStorage.setItem(saltKey(hash), salt);
    const commitment = await ctx.client.readContract({ address: registry, abi: provenanceRegistryAbi, functionName: "commitmentOf", args: [hash, ctx.account, salt] });
    const receipt = await transact(ctx, "Committing", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: registry, abi: provenanceRegistryAbi, functionName: "commit", args: [commitment] })).request));
    if (receipt) show("status", `Committed in block ${receipt.blockNumber}; reveal after ${minAge} s`);
    await showRecord(hash);
  });
  onClick("reveal", async () => {
    const hash = current;
    const salt = hash ? localStorage.getItem(saltKey(hash)) as Hex | null : null;
    if (!hash || !salt) return;
    const { kind, origin } = selected();
    const receipt = await transact(ctx, "Revealing", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: registry, abi: provenanceRegistryAbi, functionName: "reveal", args: [hash, kind, origin, ZERO_HASH, [], salt] })).request));
    if (receipt) show("status", `Revealed in block ${receipt.blockNumber} (transaction ${receipt.transactionHash})`);
    await showRecord(hash);
  });
  document.body.dataset["idle"] = "1";
}

main().catch((err: unknown) => show("error", describeError(err)));

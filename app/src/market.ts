// Reference dApp, marketplace page: offers with their price per hour (paged through MarketplaceLens), the client's
// leases (top up, close, dispute), and a provider dashboard (register, stake, offer; its leases: accept, withdraw;
// stake, reputation and earnings). Inputs: @deai/contracts and the deployment manifest only.
import "./style.css";
import { erc20Abi, keccak256, parseUnits, toHex, type Address } from "viem";
import {
  computeMarketplaceAbi, ComputeMarketplaceStatusName, marketplaceLensAbi, providerRegistryAbi,
} from "@deai/contracts";
import { $, button, connect, describeError, fmt, onClick, row, short, show, transact, value, type Ctx } from "./common";

const HOUR = 3_600n;
const PAGE = 100n; // MarketplaceLens.MAX_LIMIT
const MAX_PAGES = 50; // at most 5,000 ids scanned per list (a production UI would index events)

interface Token { readonly address: Address; readonly symbol: string; readonly decimals: number }

async function token(ctx: Ctx, address: Address): Promise<Token> {
  const [symbol, decimals] = await Promise.all([
    ctx.client.readContract({ address, abi: erc20Abi, functionName: "symbol" }),
    ctx.client.readContract({ address, abi: erc20Abi, functionName: "decimals" }),
  ]);
  return { address, symbol, decimals };
}

/** Every page of a lens listing (ids are 1-based; `nextId` 0 ends it). */
async function pages<T>(read: (fromId: bigint) => Promise<readonly [readonly T[], bigint]>): Promise<T[]> {
  const all: T[] = [];
  let fromId = 1n;
  for (let i = 0; i < MAX_PAGES && fromId !== 0n; i++) {
    const [page, next] = await read(fromId);
    all.push(...page);
    fromId = next;
  }
  return all;
}

async function main(): Promise<void> {
  const ctx = await connect("market.html");
  const market = ctx.address("ComputeMarketplace");
  const lens = ctx.address("MarketplaceLens");
  const registry = await ctx.client.readContract({ address: market, abi: computeMarketplaceAbi, functionName: "registry" });
  const stake = await token(ctx, await ctx.client.readContract({ address: market, abi: computeMarketplaceAbi, functionName: "stakeToken" }));
  const tokens = new Map<Address, Token>([[stake.address, stake]]);
  const tokenOf = async (address: Address): Promise<Token> => {
    const known = tokens.get(address);
    if (known) return known;
    const read = await token(ctx, address);
    tokens.set(address, read);
    return read;
  };
  /** Approves `amount` of `t` to `spender` if the allowance is short (a separate transaction, as wallets do). */
  const approve = async (t: Address, spender: Address, amount: bigint): Promise<boolean> => {
    const owner = ctx.account;
    if (!owner) return false;
    const allowance = await ctx.client.readContract({ address: t, abi: erc20Abi, functionName: "allowance", args: [owner, spender] });
    if (allowance >= amount) return true;
    return (await transact(ctx, "Approving", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: t, abi: erc20Abi, functionName: "approve", args: [spender, amount] })).request))) !== undefined;
  };
  const hours = (id: string): bigint => BigInt(Math.round(Number(value(id)) * 3600));

  const refresh = async (): Promise<void> => {
    try {
      await Promise.all([renderOffers(), renderClient(), renderProvider()]);
    } catch (err) {
      show("error", describeError(err));
    }
  };

  const renderOffers = async (): Promise<void> => {
    const offers = await pages((fromId) => ctx.client.readContract({ address: lens, abi: marketplaceLensAbi, functionName: "offers", args: [fromId, PAGE] }));
    const body = $("offers");
    body.replaceChildren();
    for (const { offerId, offer } of offers) {
      const t = await tokenOf(offer.paymentToken);
      const lease = button(`lease-${offerId}`, "Lease", async () => {
        const duration = hours("lease-hours");
        if (!(await approve(t.address, market, offer.pricePerSecond * duration))) return;
        if (await transact(ctx, `Opening a lease on offer ${offerId}`, async (w) => w.writeContract((await ctx.client.simulateContract({
          account: w.account, address: market, abi: computeMarketplaceAbi, functionName: "openLease",
          args: [offerId, duration, offer.pricePerSecond] })).request))) await refresh();
      });
      lease.disabled = !offer.active || !ctx.account;
      body.append(row([String(offerId), short(offer.provider), fmt(offer.pricePerSecond * HOUR, t.decimals, t.symbol),
        `${Number(offer.minDuration) / 3600}–${Number(offer.maxDuration) / 3600}`, offer.active ? "yes" : "no", lease], `offer-${offerId}`));
    }
  };

  const renderClient = async (): Promise<void> => {
    const body = $("client-leases");
    body.replaceChildren();
    if (!ctx.account) return;
    const account = ctx.account;
    const leases = await pages((fromId) => ctx.client.readContract({ address: lens, abi: marketplaceLensAbi, functionName: "leasesOfClient", args: [account, fromId, PAGE] }));
    for (const { leaseId, lease, refundable } of leases) {
      const t = await tokenOf(lease.paymentToken);
      const status = ComputeMarketplaceStatusName[lease.status] ?? String(lease.status);
      const actions = document.createElement("span");
      actions.append(
        button(`topup-${leaseId}`, "Top up", async () => {
          const extra = hours("topup-hours");
          if (!(await approve(t.address, market, lease.pricePerSecond * extra))) return;
          if (await transact(ctx, `Topping up lease ${leaseId}`, async (w) => w.writeContract((await ctx.client.simulateContract({
            account: w.account, address: market, abi: computeMarketplaceAbi, functionName: "topUp", args: [leaseId, extra] })).request))) await refresh();
        }),
        button(`close-${leaseId}`, "Close", async () => {
          if (await transact(ctx, `Closing lease ${leaseId}`, async (w) => w.writeContract((await ctx.client.simulateContract({
            account: w.account, address: market, abi: computeMarketplaceAbi, functionName: "closeLease", args: [leaseId] })).request))) await refresh();
        }),
        button(`dispute-${leaseId}`, "Dispute", async () => {
          const reason = keccak256(toHex(`lease ${leaseId}: the output was not delivered`));
          // The bond (disputeBondBps of what the dispute freezes) comes out of the refund of a running lease; after
          // a close or the end the client pays it: approve its upper bound (the frozen amount is at most the deposit).
          const bondBps = await ctx.client.readContract({ address: market, abi: computeMarketplaceAbi, functionName: "disputeBondBps" });
          if (!(await approve(t.address, market, (lease.deposit * BigInt(bondBps)) / 10_000n))) return;
          if (await transact(ctx, `Disputing lease ${leaseId}`, async (w) => w.writeContract((await ctx.client.simulateContract({
            account: w.account, address: market, abi: computeMarketplaceAbi, functionName: "dispute", args: [leaseId, reason] })).request))) await refresh();
        }),
      );
      // `deposit` and `end` are the terms as agreed (top-ups included); a close or a running lease's dispute stops it
      // early: `stoppedAt` is when, `refunded` what that stop returned to the client
      const when = (s: bigint): string => new Date(Number(s) * 1000).toISOString().replace(".000Z", "Z");
      const ends = lease.end === 0n ? "not accepted" : lease.stoppedAt === 0n ? when(lease.end)
        : `stopped ${when(lease.stoppedAt)} (paid to ${when(lease.end)}), ${fmt(lease.refunded, t.decimals, t.symbol)} refunded`;
      body.append(row([String(leaseId), String(lease.offerId), status, fmt(lease.deposit, t.decimals, t.symbol), ends,
        fmt(refundable, t.decimals, t.symbol), actions], `client-lease-${leaseId}`));
    }
  };

  const renderProvider = async (): Promise<void> => {
    const body = $("provider-leases");
    body.replaceChildren();
    if (!ctx.account) return;
    const account = ctx.account;
    const info = await ctx.client.readContract({ address: registry, abi: providerRegistryAbi, functionName: "providerInfo", args: [account] });
    show("registered", info.registered ? `yes (${info.metadataURI})` : "no");
    show("stake", `${fmt(info.freeStake, stake.decimals)} / ${fmt(info.lockedStake, stake.decimals)} / ${fmt(info.pendingStake, stake.decimals)} ${stake.symbol}`);
    show("reputation", `${info.leasesCompleted} leases completed, ${info.disputesWon} disputes won, ${info.disputesLost} lost`);
    const leases = await pages((fromId) => ctx.client.readContract({ address: lens, abi: marketplaceLensAbi, functionName: "leasesOfProvider", args: [account, fromId, PAGE] }));
    const earned = new Map<Address, bigint>();
    const withdrawn = new Map<Address, bigint>();
    for (const { leaseId, lease, earned: now } of leases) {
      const t = await tokenOf(lease.paymentToken);
      earned.set(t.address, (earned.get(t.address) ?? 0n) + now);
      withdrawn.set(t.address, (withdrawn.get(t.address) ?? 0n) + lease.withdrawn);
      const status = ComputeMarketplaceStatusName[lease.status] ?? String(lease.status);
      const actions = document.createElement("span");
      const accept = button(`accept-${leaseId}`, "Accept", async () => {
        if (await transact(ctx, `Accepting lease ${leaseId}`, async (w) => w.writeContract((await ctx.client.simulateContract({
          account: w.account, address: market, abi: computeMarketplaceAbi, functionName: "acceptLease", args: [leaseId] })).request))) await refresh();
      });
      accept.disabled = status !== "Open";
      const withdraw = button(`withdraw-${leaseId}`, "Withdraw", async () => {
        if (await transact(ctx, `Withdrawing earnings of lease ${leaseId}`, async (w) => w.writeContract((await ctx.client.simulateContract({
          account: w.account, address: market, abi: computeMarketplaceAbi, functionName: "withdrawEarnings", args: [leaseId] })).request))) await refresh();
      });
      actions.append(accept, withdraw);
      body.append(row([String(leaseId), short(lease.client), status, fmt(lease.deposit, t.decimals, t.symbol),
        fmt(now, t.decimals, t.symbol), actions], `provider-lease-${leaseId}`));
    }
    const total = async (amounts: Map<Address, bigint>): Promise<string> => {
      const parts = await Promise.all([...amounts].map(async ([a, v]) => { const t = await tokenOf(a); return fmt(v, t.decimals, t.symbol); }));
      return parts.join(", ") || "0";
    };
    show("earnings", await total(earned));
    show("withdrawn", await total(withdrawn));
  };

  onClick("register", async () => {
    if (await transact(ctx, "Registering", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: registry, abi: providerRegistryAbi, functionName: "registerProvider",
      args: [`https://provider.example/${ctx.account ?? ""}`] })).request))) await refresh();
  });
  onClick("deposit", async () => {
    const amount = parseUnits(value("stake-amount"), stake.decimals);
    if (!(await approve(stake.address, registry, amount))) return;
    if (await transact(ctx, "Depositing stake", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: registry, abi: providerRegistryAbi, functionName: "depositStake", args: [amount] })).request))) await refresh();
  });
  onClick("create-offer", async () => {
    // The first allowed payment token the marketplace tracks (the stake token on a local deployment).
    const tracked = await ctx.client.readContract({ address: market, abi: computeMarketplaceAbi, functionName: "trackedTokens" });
    let pay: Address | undefined;
    for (const t of tracked) {
      if (await ctx.client.readContract({ address: market, abi: computeMarketplaceAbi, functionName: "isTokenAllowed", args: [t] })) { pay = t; break; }
    }
    if (!pay) { show("error", "No payment token is allowed on this marketplace."); return; }
    const t = await tokenOf(pay);
    const perSecond = parseUnits(value("offer-price"), t.decimals) / HOUR;
    const uri = `https://provider.example/offers/${Date.now()}`;
    if (await transact(ctx, "Creating an offer", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: market, abi: computeMarketplaceAbi, functionName: "createOffer",
      args: [t.address, perSecond, hours("offer-min"), hours("offer-max"), keccak256(toHex(uri)), uri] })).request))) await refresh();
  });
  for (const id of ["register", "deposit", "create-offer"]) $<HTMLButtonElement>(id).disabled = !ctx.account;
  await refresh();
  document.body.dataset["idle"] = "1";
}

main().catch((err: unknown) => show("error", describeError(err)));

// Reference dApp, emission page: the splitter's curve drawn as an SVG chart (no library, no CDN) with today marked
// (chain time: the head block), each bucket's emitted and claimable amounts, and staking and claiming in the
// staking pool. Inputs: @deai/contracts and the deployment manifest only.
import "./style.css";
import { erc20Abi, getContract, parseUnits, type Address } from "viem";
import { emissionSplitterAbi, emissionTokenAbi, rewardPoolAbi, RewardPoolMode } from "@deai/contracts";
import { $, connect, describeError, fmt, onClick, row, short, show, transact, value, type Ctx } from "./common";

const SVG = "http://www.w3.org/2000/svg";
const W = 720, H = 240, PAD = { left: 64, right: 16, top: 16, bottom: 32 };

interface Curve {
  readonly start: bigint; readonly interval: bigint; readonly initialReward: bigint; readonly rewardDecrease: bigint;
  readonly intervals: bigint;
}

/** Reward of interval `i` (0-based) on the linear curve: initialReward - i * rewardDecrease, never negative. */
const rewardOf = (c: Curve, i: bigint): bigint => {
  if (i < 0n || i >= c.intervals) return 0n;
  const r = c.initialReward - i * c.rewardDecrease;
  return r > 0n ? r : 0n;
};

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** The curve as a line chart: x = interval (day) number, y = reward per interval; a marker at `today`. */
function chart(c: Curve, today: bigint, decimals: number, symbol: string): SVGSVGElement {
  const root = svg("svg", { id: "curve", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img" });
  const n = Number(c.intervals);
  const top = Number(c.initialReward) / 10 ** decimals;
  const x = (i: number): number => PAD.left + (i / Math.max(n, 1)) * (W - PAD.left - PAD.right);
  const y = (v: number): number => H - PAD.bottom - (v / (top || 1)) * (H - PAD.top - PAD.bottom);
  root.append(svg("line", { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, stroke: "#8a94a6" }));
  root.append(svg("line", { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, stroke: "#8a94a6" }));
  const samples = 240;
  const points: string[] = [];
  for (let s = 0; s <= samples; s++) {
    const i = Math.min(n - 1, Math.floor((s / samples) * n));
    points.push(`${x(i).toFixed(1)},${y(Number(rewardOf(c, BigInt(i))) / 10 ** decimals).toFixed(1)}`);
  }
  root.append(svg("polyline", { points: points.join(" "), fill: "none", stroke: "#2456a6", "stroke-width": 2 }));
  for (const frac of [0, 0.5, 1]) {
    root.append(svg("text", { x: PAD.left - 6, y: y(top * frac) + 4, "text-anchor": "end" }, fmt(BigInt(Math.round(top * frac)), 0)));
    const anchor = frac === 0 ? "start" : frac === 1 ? "end" : "middle";
    root.append(svg("text", { x: x(n * frac), y: H - PAD.bottom + 16, "text-anchor": anchor }, `day ${Math.round(n * frac)}`));
  }
  root.append(svg("text", { x: W - PAD.right, y: PAD.top + 4, "text-anchor": "end" }, `${symbol} per day`));
  const t = Number(today < 0n ? 0n : today > c.intervals ? c.intervals : today);
  const ty = y(Number(rewardOf(c, today)) / 10 ** decimals);
  root.append(svg("line", { id: "today-line", x1: x(t), y1: PAD.top, x2: x(t), y2: H - PAD.bottom, stroke: "#cf222e", "stroke-dasharray": "4 3" }));
  root.append(svg("circle", { id: "today", cx: x(t), cy: ty, r: 5, fill: "#cf222e", "data-day": String(today) }));
  root.append(svg("text", { x: x(t) + 8, y: Math.max(PAD.top + 12, ty - 8), fill: "#cf222e" }, `today (day ${today})`));
  return root;
}

async function bucketNames(ctx: Ctx, recipients: readonly Address[], protection: number): Promise<string[]> {
  const byAddress = new Map(Object.entries(ctx.manifest.contracts).map(([key, e]) => [e.address.toLowerCase(), key]));
  return recipients.map((r, b) => byAddress.get(r.toLowerCase())?.replace(/^RewardPool/, "") ?? (b === protection ? "Protection fund" : `Bucket ${b}`));
}

async function main(): Promise<void> {
  const ctx = await connect("emission.html");
  const splitter = ctx.address("EmissionSplitter");
  const split = getContract({ address: splitter, abi: emissionSplitterAbi, client: ctx.client }).read;
  const [start, interval, initialReward, rewardDecrease, intervals, total, tokenAddress, protection] = await Promise.all([
    split.start(), split.interval(), split.initialReward(), split.rewardDecrease(),
    split.intervals(), split.totalEmission(), split.token(), split.PROTECTION()]);
  const curve: Curve = { start, interval, initialReward, rewardDecrease, intervals };
  const [symbol, decimals] = await Promise.all([
    ctx.client.readContract({ address: tokenAddress, abi: emissionTokenAbi, functionName: "symbol" }),
    ctx.client.readContract({ address: tokenAddress, abi: emissionTokenAbi, functionName: "decimals" })]);

  // The staking pool: the first RewardPool of the manifest in Staking mode.
  let pool: Address | undefined;
  for (const key of ctx.keysOf("RewardPool")) {
    const address = ctx.address(key);
    if (await ctx.client.readContract({ address, abi: rewardPoolAbi, functionName: "mode" }) === RewardPoolMode.Staking) { pool = address; break; }
  }
  const deposit = pool ? await ctx.client.readContract({ address: pool, abi: rewardPoolAbi, functionName: "depositToken" }) : undefined;
  const depositInfo = deposit ? await Promise.all([
    ctx.client.readContract({ address: deposit, abi: erc20Abi, functionName: "symbol" }),
    ctx.client.readContract({ address: deposit, abi: erc20Abi, functionName: "decimals" })]) : undefined;

  const refresh = async (): Promise<void> => {
    const head = await ctx.client.getBlock();
    const now = head.timestamp;
    const today = now < start ? -1n : (now - start) / interval;
    const dayStart = start + (today < 0n ? 0n : today) * interval;
    const [todayReward, emitted, shares, recipients] = await Promise.all([
      split.periodReward([dayStart, dayStart + interval]), split.totalEmitted(),
      split.shares(), split.recipients()]);
    show("curve-summary", `${fmt(total, decimals, symbol)} over ${intervals} days from ${new Date(Number(start) * 1000).toISOString().slice(0, 10)}; ` +
      `today is day ${today}: ${fmt(todayReward, decimals, symbol)} per day; ${fmt(emitted, decimals, symbol)} emitted so far`);
    $("chart").replaceChildren(chart(curve, today, decimals, symbol));
    const names = await bucketNames(ctx, recipients, protection);
    const body = $("buckets");
    body.replaceChildren();
    for (let b = 0; b < recipients.length; b++) {
      const [claimable, claimed] = await Promise.all([split.claimable([b]), split.claimed([b])]);
      body.append(row([names[b] ?? `Bucket ${b}`, `${(shares[b] ?? 0) / 100}%`, short(recipients[b] ?? "0x"),
        fmt(claimed + claimable, decimals, symbol), fmt(claimable, decimals, symbol), fmt(claimed, decimals, symbol)], `bucket-${b}`));
    }
    if (!pool || !deposit || !depositInfo) { show("pool", "no staking pool in this deployment"); return; }
    const [dSymbol, dDecimals] = depositInfo;
    show("pool", `${short(pool)} (deposit ${dSymbol})`);
    const totalWeight = await ctx.client.readContract({ address: pool, abi: rewardPoolAbi, functionName: "totalWeight" });
    if (!ctx.account) { show("staked", `– / ${fmt(totalWeight, dDecimals, dSymbol)}`); return; }
    const account = ctx.account;
    const [balance, weight, earned, rewardBalance] = await Promise.all([
      ctx.client.readContract({ address: deposit, abi: erc20Abi, functionName: "balanceOf", args: [account] }),
      ctx.client.readContract({ address: pool, abi: rewardPoolAbi, functionName: "weightOf", args: [account] }),
      ctx.client.readContract({ address: pool, abi: rewardPoolAbi, functionName: "earned", args: [account] }),
      ctx.client.readContract({ address: tokenAddress, abi: emissionTokenAbi, functionName: "balanceOf", args: [account] })]);
    show("balance", fmt(balance, dDecimals, dSymbol));
    show("staked", `${fmt(weight, dDecimals, dSymbol)} / ${fmt(totalWeight, dDecimals, dSymbol)}`);
    show("earned", fmt(earned, decimals, symbol));
    show("reward-balance", fmt(rewardBalance, decimals, symbol));
  };

  onClick("stake", async () => {
    if (!pool || !deposit || !depositInfo || !ctx.account) return;
    const amount = parseUnits(value("stake-amount"), depositInfo[1]);
    const allowance = await ctx.client.readContract({ address: deposit, abi: erc20Abi, functionName: "allowance", args: [ctx.account, pool] });
    if (allowance < amount && !(await transact(ctx, "Approving", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: deposit, abi: erc20Abi, functionName: "approve", args: [pool, amount] })).request)))) return;
    if (await transact(ctx, "Staking", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: pool, abi: rewardPoolAbi, functionName: "stake", args: [amount] })).request))) await refresh();
  });
  onClick("claim", async () => {
    if (!pool) return;
    if (await transact(ctx, "Claiming the reward", async (w) => w.writeContract((await ctx.client.simulateContract({
      account: w.account, address: pool, abi: rewardPoolAbi, functionName: "claimReward" })).request))) await refresh();
  });
  for (const id of ["stake", "claim"]) $<HTMLButtonElement>(id).disabled = !ctx.account || !pool;
  await refresh();
  document.body.dataset["idle"] = "1";
}

main().catch((err: unknown) => { show("error", describeError(err)); document.body.dataset["idle"] = "1"; });

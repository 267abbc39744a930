// Decodes revert data with viem's decodeErrorResult and nothing but the @deai/contracts package's ABIs.
// stdin: [{"abi": "<export name>", "data": "0x..."}]; stdout: [{"errorName", "args"}] (bigints as decimal strings).
import * as contracts from "@deai/contracts";
import { decodeErrorResult } from "viem";

const cases = JSON.parse(await new Response(process.stdin).text());
const plain = (value) =>
  typeof value === "bigint" ? value.toString()
  : Array.isArray(value) ? value.map(plain)
  : value && typeof value === "object" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  : value;
const results = cases.map(({ abi, data }) => {
  if (!(abi in contracts)) return { error: `@deai/contracts exports no ${abi}` };
  try {
    const { errorName, args } = decodeErrorResult({ abi: contracts[abi], data });
    return { errorName, args: plain(args ?? []) };
  } catch (err) {
    return { error: String(err.shortMessage ?? err.message).split("\n")[0] };
  }
});
process.stdout.write(JSON.stringify(results));

// Signs one EIP-712 message with viem, using only the package's domain helper and types.
// stdin: {"contract": "provenanceRegistry", "domainArgs": [...], "primaryType", "message", "privateKey"}
// stdout: {"signature", "digest", "address"}. uint fields of `message` arrive as decimal strings.
import * as contracts from "@deai/contracts";
import { hashTypedData } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const input = JSON.parse(await new Response(process.stdin).text());
const types = contracts[`${input.contract}Types`];
const domain = contracts[`${input.contract}Domain`](...input.domainArgs);
const message = Object.fromEntries(Object.entries(input.message).map(([key, value]) => {
  const field = types[input.primaryType].find((f) => f.name === key);
  return [key, /^u?int\d*$/.test(field.type) ? BigInt(value) : value];
}));
const account = privateKeyToAccount(input.privateKey);
const request = { domain, types, primaryType: input.primaryType, message };
const signature = await account.signTypedData(request);
process.stdout.write(JSON.stringify({ signature, digest: hashTypedData(request), address: account.address }));

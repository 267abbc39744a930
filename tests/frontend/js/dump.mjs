// Prints every export of @deai/contracts (and @deai/contracts/mocks) as JSON: what a dApp would import.
import * as contracts from "@deai/contracts";
import * as mocks from "@deai/contracts/mocks";

const out = { contracts: {}, mocks: Object.keys(mocks).sort(), functions: [] };
for (const [name, value] of Object.entries(contracts)) {
  if (typeof value === "function") out.functions.push(name);
  else out.contracts[name] = value;
}
process.stdout.write(JSON.stringify(out));
